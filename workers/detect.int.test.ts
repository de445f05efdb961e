// Detection partitions across processes, on real Redis and PostgreSQL: two detection processes
// share the partitions (leases), one is killed mid-stream (SIGKILL, no goodbye), the other takes
// its partitions over from their checkpoints plus the completed jobs after them, and detection
// goes on: hijacks opened before the kill are resolved after it, each anomaly exists once and is
// pushed as "new" exactly once. Plus the cross-partition origin withdrawal and a replay.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { BgpEvent } from '@/lib/bgp/types';
import { aggregateHour, resetBaselines } from '@/lib/db/baselines';
import { closeDb, getPgPool } from '@/lib/db/client';
import { insertEventBatch } from '@/lib/db/events';
import { partitionOf } from '@/lib/detect/pipeline/partition';
import { ANOMALY_STREAM_KEY, parseAnomalyPush, type AnomalyPushMessage } from '@/lib/detect/push-types';
import { createRedisConnection } from '@/lib/queue/connection';
import { closeDetectQueues, enqueueDetectBatch, leaseKey } from '@/lib/queue/detect';
import { makeTestEvent } from '@/test/helpers/db';
import { waitFor } from '@/test/helpers/wait';
import { deleteKeys } from '@/test/helpers/redis';

const repoRoot = path.resolve(import.meta.dirname, '..');
const P = 3;
const LEASE_MS = 2_000;
const HOUR_US = 3_600_000_000;
// March 2021: no other test file writes this hour.
const H = Math.floor(Date.UTC(2021, 2, 3, 5) / 3_600_000);
const T = (s: number) => (H + 1) * HOUR_US + s * 1_000_000;

// One covering prefix per first octet until every partition has two.
const covers: string[] = [];
for (let o = 11; covers.length < 2 * P && o < 200; o++) {
  const p = `${o}.20.0.0/16`;
  if (covers.filter((c) => partitionOf(c, P) === partitionOf(p, P)).length < 2) covers.push(p);
}
const PEERS = 20;
const HIJACKER = 64666;
const victim = (i: number) => 65000 + i;
const sub = (cover: string) => cover.replace('.0.0/16', '.7.0/24');

function ev(prefix: string, peer: number, atUs: number, origin: number | null): BgpEvent {
  const path = origin === null ? [] : [64500 + peer, 3356, origin];
  return makeTestEvent({
    collector: `rrc0${peer % 4}`,
    peerAsn: 64500 + peer,
    peerIp: `192.0.2.${peer}`,
    eventType: origin === null ? 'withdrawal' : 'announcement',
    prefix,
    prefixLength: Number(prefix.split('/')[1]),
    originAsn: origin,
    asPath: path,
    asPathLength: path.length,
    communities: [],
    timestampUs: atUs,
  });
}

let redis: Redis;
const children: ChildProcess[] = [];

function startChild(owner: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/detect-test-child.ts', String(P), owner, String(LEASE_MS)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`ready ${owner}`)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`child ${owner} exited with ${code}`)));
  });
}

async function holders(): Promise<(string | null)[]> {
  return Promise.all(Array.from({ length: P }, (_, p) => redis.get(leaseKey(P, p))));
}

async function pushesSince(startId: string): Promise<AnomalyPushMessage[]> {
  const entries = (await redis.xrange(ANOMALY_STREAM_KEY, `(${startId}`, '+')) as [string, string[]][];
  return entries.map(([, f]) => parseAnomalyPush(f[1]!)).flatMap((r) => (r.ok ? [r.value] : []));
}

async function rows(): Promise<{ dedup_key: string; prefix: string; status: string; severity: string; new_origin_asn: string }[]> {
  const r = await getPgPool().query(
    `SELECT dedup_key, prefix::text, status, severity, new_origin_asn::text FROM bgp_anomalies WHERE anomaly_type = 'more_specific' AND new_origin_asn = $1 ORDER BY prefix`,
    [HIJACKER],
  );
  return r.rows;
}

function clearDetectKeys(): Promise<void> {
  return deleteKeys(redis, 'bull:detect-p*', 'detect:*');
}

beforeAll(async () => {
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
  await clearDetectKeys();
  await getPgPool().query('DELETE FROM detect_checkpoints');
  await getPgPool().query(`DELETE FROM bgp_anomalies WHERE source = 'detector'`);
  await resetBaselines();
  // Baselines: each cover announced by its victim origin through every peer in hour H.
  const base = covers.flatMap((c, i) => Array.from({ length: PEERS }, (_, k) => ev(c, k + 1, H * HOUR_US + (60 + k) * 1_000_000, victim(i))));
  await insertEventBatch(base);
  await aggregateHour(H);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await closeDetectQueues();
  await getPgPool().query(`DELETE FROM bgp_events WHERE timestamp >= to_timestamp($1) AND timestamp < to_timestamp($2)`, [H * 3600, (H + 2) * 3600]);
  await resetBaselines();
  await redis.quit();
  await closeDb();
});

describe('detection partitions across processes', () => {
  it('two processes share the partitions; killing one hands its partitions (and open anomalies) to the other', async () => {
    const streamStart = ((await redis.xrevrange(ANOMALY_STREAM_KEY, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0';
    const a = await startChild('proc-a');
    await waitFor('A holds every partition', async () => (await holders()).every((h) => h === 'proc-a'));
    await startChild('proc-b');
    // Balancing: A gives partitions up one at a time until each holds about half.
    const balanced = await waitFor('partitions shared', async () => {
      const h = await holders();
      return h.includes('proc-a') && h.includes('proc-b') && h.every((x) => x !== null) ? h : null;
    });
    expect(balanced.filter((x) => x === 'proc-b').length).toBeGreaterThanOrEqual(1);

    // The live routes of the covers, then a sub-prefix hijack of each by AS64666.
    const live = covers.flatMap((c, i) => Array.from({ length: PEERS }, (_, k) => ev(c, k + 1, T(k * 0.01), victim(i))));
    await enqueueDetectBatch(live, P, Date.now());
    const hijacks = covers.flatMap((c) => Array.from({ length: PEERS }, (_, k) => ev(sub(c), k + 1, T(10 + k * 0.1), HIJACKER)));
    await enqueueDetectBatch(hijacks, P, Date.now());
    await waitFor('every hijack stored', async () => ((await rows()).length === covers.length ? true : null)).catch(async (err) => {
      const { getPrefixBaseline } = await import('@/lib/db/baselines');
      console.log('baseline', JSON.stringify(await getPrefixBaseline(covers[0]!, '24h')).slice(0, 300));
      console.log('queues', await Promise.all(Array.from({ length: P }, async (_, p) => [await redis.llen(`bull:detect-p${p}:wait`), await redis.zcard(`bull:detect-p${p}:completed`), await redis.zcard(`bull:detect-p${p}:failed`)])));
      console.log('rows', await rows(), 'covers', covers, 'pushes', (await pushesSince(streamStart)).map((m) => [m.kind, m.anomaly.type, m.anomaly.prefix, m.anomaly.summary]));
      throw err;
    });
    expect((await rows()).every((r) => r.status === 'ongoing' && ['critical', 'high'].includes(r.severity))).toBe(true);

    // Kill A without any shutdown: its leases expire, B takes its partitions over.
    a.kill('SIGKILL');
    await waitFor('B holds every partition', async () => (await holders()).every((h) => h === 'proc-b'), 30_000);

    // The hijacks end (withdrawn everywhere): only a detector that restored the open anomalies
    // and the route state resolves them, in A's former partitions too.
    const ends = covers.flatMap((c) => Array.from({ length: PEERS }, (_, k) => ev(sub(c), k + 1, T(100 + k * 0.1), null)));
    await enqueueDetectBatch(ends, P, Date.now());
    await waitFor('every hijack resolved', async () => ((await rows()).every((r) => r.status === 'resolved') ? true : null));
    // Stored first, then pushed.
    await waitFor('every resolution pushed', async () =>
      (await pushesSince(streamStart)).filter((m) => m.kind === 'resolved' && m.anomaly.type === 'more_specific' && m.anomaly.originAsn === HIJACKER).length >= covers.length ? true : null,
    );

    const stored = await rows();
    expect(stored.map((r) => r.prefix).sort()).toEqual(covers.map(sub).sort());
    const pushes = (await pushesSince(streamStart)).filter((m) => m.anomaly.type === 'more_specific' && m.anomaly.originAsn === HIJACKER);
    const news = pushes.filter((m) => m.kind === 'new').map((m) => m.anomaly.prefix);
    expect(news.sort()).toEqual(covers.map(sub).sort());
    expect(pushes.filter((m) => m.kind === 'resolved').map((m) => m.anomaly.prefix).sort()).toEqual(covers.map(sub).sort());
  });

  it('a failed store is retried without losing the anomaly', async () => {
    const streamStart = ((await redis.xrevrange(ANOMALY_STREAM_KEY, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0';
    const prefix = covers[0]!.replace('.0.0/16', '.8.0/24');
    const failedBefore = await redis.zcard(`bull:detect-p${partitionOf(prefix, P)}:failed`);
    await getPgPool().query('ALTER TABLE bgp_anomalies RENAME TO bgp_anomalies_away');
    try {
      await enqueueDetectBatch(Array.from({ length: PEERS }, (_, k) => ev(prefix, k + 1, T(200 + k * 0.1), HIJACKER)), P, Date.now());
      // The first attempt fails on the missing table; BullMQ retries it a second later.
      await waitFor('first attempt failed', async () => {
        const ids = await redis.zrange(`bull:detect-p${partitionOf(prefix, P)}:delayed`, '0', '-1');
        return ids.length > 0 ? true : null;
      });
    } finally {
      await getPgPool().query('ALTER TABLE bgp_anomalies_away RENAME TO bgp_anomalies');
    }
    // Stored first, then pushed: wait for the push.
    await waitFor('hijack pushed after the retry', async () => ((await pushesSince(streamStart)).some((m) => m.anomaly.prefix === prefix) ? true : null));
    expect((await rows()).filter((r) => r.prefix === prefix)).toHaveLength(1);
    const news = (await pushesSince(streamStart)).filter((m) => m.kind === 'new' && m.anomaly.prefix === prefix);
    expect(news).toHaveLength(1);
    expect(await redis.zcard(`bull:detect-p${partitionOf(prefix, P)}:failed`)).toBe(failedBefore);
  });

  it('replaying the same events again creates no new anomaly', async () => {
    const before = await rows();
    const streamStart = ((await redis.xrevrange(ANOMALY_STREAM_KEY, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]?.[0] ?? '0-0';
    const hijacks = covers.flatMap((c) => Array.from({ length: PEERS }, (_, k) => ev(sub(c), k + 1, T(10 + k * 0.1), HIJACKER)));
    const ends = covers.flatMap((c) => Array.from({ length: PEERS }, (_, k) => ev(sub(c), k + 1, T(100 + k * 0.1), null)));
    await enqueueDetectBatch(hijacks, P, Date.now());
    await enqueueDetectBatch(ends, P, Date.now());
    // The queue drained when every partition's last job is done.
    await waitFor('replay processed', async () => {
      const counts = await Promise.all(Array.from({ length: P }, (_, p) => redis.llen(`bull:detect-p${p}:wait`)));
      const active = await Promise.all(Array.from({ length: P }, (_, p) => redis.llen(`bull:detect-p${p}:active`)));
      return counts.every((c) => c === 0) && active.every((c) => c === 0) ? true : null;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows()).toEqual(before);
    expect((await pushesSince(streamStart)).filter((m) => m.kind === 'new' && m.anomaly.originAsn === HIJACKER)).toEqual([]);
  });
});
