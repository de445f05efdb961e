// Detection on BullMQ: one queue per partition (`detect-p<i>`), fed with the events of each
// committed ingest batch (live collector and backfill), one job per batch and partition — never
// one per message. Each partition is consumed in order by exactly one process, the holder of its
// Redis lease (SET NX PX, renewed; a dead holder's lease expires and another process takes over).
// Cross-partition origin withdrawal counts are summed in Redis hashes per event-time bucket.

import type { Queue, JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BgpEvent } from '@/lib/bgp/types';
import { encodeDetectEvent, type DetectBatchPayload } from '@/lib/detect/pipeline/event-codec';
import { splitByPartition } from '@/lib/detect/pipeline/partition';
import type { OriginWithdrawalDelta, OriginWithdrawalTotals } from '@/lib/detect/pipeline/partition-detector';
import { createQueueRegistry } from '@/lib/queue/registry';

export const DETECT_JOB_NAME = 'detect-batch';
export const detectQueueName = (partition: number): string => `detect-p${partition}`;

/**
 * Completed jobs are kept (bounded) on purpose: a process taking a partition over restores the
 * last checkpoint and re-applies the completed jobs after it, so nothing between two checkpoints
 * is lost. Checkpoints are taken well within this many jobs.
 */
export const DETECT_KEEP_COMPLETED = 500;
const JOB_OPTS: JobsOptions = { attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { count: DETECT_KEEP_COMPLETED }, removeOnFail: { count: 1000 } };

// One retry per command, but with the offline queue: the first batch after start-up must not
// fail just because the connection is still being made. Add errors are counted by the caller.
const registry = createQueueRegistry<string>({ maxRetriesPerRequest: 1 });

/** The producer-side queue of a partition (one shared connection). */
export function detectQueue(partition: number): Queue {
  return registry.get(detectQueueName(partition));
}

/** Routes a committed batch to the partitions; returns the jobs added (one per non-empty partition). */
export async function enqueueDetectBatch(events: readonly BgpEvent[], partitions: number, committedAtMs: number): Promise<number> {
  if (events.length === 0) return 0;
  const parts = splitByPartition(events, (e) => e.prefix, partitions);
  const adds: Promise<unknown>[] = [];
  parts.forEach((list, p) => {
    if (list.length === 0) return;
    const data: DetectBatchPayload = { events: list.map(encodeDetectEvent), committedAtMs };
    adds.push(detectQueue(p).add(DETECT_JOB_NAME, data, JOB_OPTS));
  });
  await Promise.all(adds);
  return adds.length;
}

export function closeDetectQueues(): Promise<void> {
  return registry.close();
}

// ---------------------------------------------------------------------------------------------
// Leases and membership (wall clock: they are about processes, not about BGP time)

export const leaseKey = (partitionCount: number, partition: number): string => `detect:lease:${partitionCount}:${partition}`;
const MEMBERS_KEY = 'detect:members';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export async function claimLease(redis: Redis, key: string, owner: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
}

/** False when the lease expired or another process holds it now. */
export async function renewLease(redis: Redis, key: string, owner: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1;
}

export async function releaseLease(redis: Redis, key: string, owner: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner);
}

export async function leaseHolder(redis: Redis, key: string): Promise<string | null> {
  return redis.get(key);
}

/** Announces this process for ttlMs; returns how many detection processes are alive (this one included). */
export async function heartbeatMember(redis: Redis, owner: string, ttlMs: number, nowMs: number = Date.now()): Promise<number> {
  const r = await redis.multi().zadd(MEMBERS_KEY, nowMs + ttlMs, owner).zremrangebyscore(MEMBERS_KEY, '-inf', nowMs).zcard(MEMBERS_KEY).exec();
  return Math.max(1, Number(r?.[2]?.[1] ?? 1));
}

export async function removeMember(redis: Redis, owner: string): Promise<void> {
  await redis.zrem(MEMBERS_KEY, owner);
}

// ---------------------------------------------------------------------------------------------
// Cross-partition origin withdrawal sums

/**
 * Adds one partition's delta to the (bucket, origin) sums and returns the totals and the
 * bucket's owner (the first partition that reported it), atomically.
 */
const ADD_WITHDRAWALS = `
local k = KEYS[1]
local o = ARGV[1]
local n = redis.call('hincrby', k, o .. ':n', ARGV[2])
local e = redis.call('hincrbyfloat', k, o .. ':e', ARGV[3])
local p = tonumber(redis.call('hget', k, o .. ':p') or '0')
if tonumber(ARGV[4]) > p then p = tonumber(ARGV[4]) redis.call('hset', k, o .. ':p', p) end
local l = tonumber(redis.call('hget', k, o .. ':l') or '0')
if tonumber(ARGV[5]) > l then l = tonumber(ARGV[5]) redis.call('hset', k, o .. ':l', ARGV[5]) end
redis.call('hsetnx', k, o .. ':own', ARGV[6])
redis.call('pexpire', k, ARGV[7])
return {n, tostring(e), p, tostring(l), redis.call('hget', k, o .. ':own')}`;

export interface OriginTotalsWithOwner extends OriginWithdrawalTotals {
  owner: number;
}

export async function addOriginWithdrawals(
  redis: Redis,
  partitionCount: number,
  partition: number,
  deltas: readonly OriginWithdrawalDelta[],
  ttlMs: number,
): Promise<OriginTotalsWithOwner[]> {
  if (deltas.length === 0) return [];
  const p = redis.pipeline();
  for (const d of deltas) {
    p.eval(ADD_WITHDRAWALS, 1, `detect:mw:${partitionCount}:${d.bucketStartUs}`, String(d.origin), String(d.prefixes), String(d.expected), String(d.peers), String(d.lastUs), String(partition), String(ttlMs));
  }
  const res = (await p.exec()) ?? [];
  return res.map(([err, v], i) => {
    if (err) throw err;
    const [n, e, peers, last, own] = v as [number, string, number, string, string];
    const d = deltas[i]!;
    return { origin: d.origin, bucketStartUs: d.bucketStartUs, prefixes: Number(n), expected: Number(e), peers: Number(peers), lastUs: Number(last), owner: Number(own) };
  });
}
