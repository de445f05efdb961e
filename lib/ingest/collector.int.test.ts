// The collector on real PostgreSQL, real Redis and a real WebSocket server speaking RIS Live.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { getPgPool, closeDb } from '@/lib/db/client';
import { resetDatabase } from '@/test/helpers/db';
import { FEED_STATE_KEY, FEED_UPDATES_CHANNEL, type FeedUpdate } from '@/lib/feed/types';
import { readFeedState } from '@/lib/feed/state';
import { createRedisConnection } from '@/lib/queue/connection';
import { startCollector, type Collector } from '@/lib/ingest/collector';
import { startRisTestServer, type RisTestServer } from '@/lib/ingest/ris-test-server';
import { expectedKey, testFrames, type ExpectedEvent } from '@/lib/ingest/ris-test-frames';
import { getLogger } from '@/lib/log';
import { waitFor } from '@/test/helpers/wait';

const logger = getLogger().child({ test: 'collector.int' });

interface Row {
  prefix: string;
  event_type: string;
  peer_ip: string;
  ts_us: string;
  n: number;
}

async function storedCounts(): Promise<Map<string, number>> {
  const { rows } = await getPgPool().query<Row>(
    `SELECT prefix::text AS prefix, event_type, host(peer_ip) AS peer_ip,
            ((extract(epoch from "timestamp") * 1000000)::bigint)::text AS ts_us, count(*)::int AS n
       FROM bgp_events GROUP BY 1, 2, 3, 4`,
  );
  return new Map(rows.map((r) => [`${r.prefix}|${r.event_type}|${r.peer_ip}|${r.ts_us}`, r.n]));
}

const uniqueKeys = (exp: ExpectedEvent[]) => [...new Set(exp.map(expectedKey))].sort();

let server: RisTestServer;
let redis: Redis;
let collector: Collector | null = null;

beforeAll(async () => {
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
  await closeDb();
});

beforeEach(async () => {
  await resetDatabase();
  await redis.del(FEED_STATE_KEY);
  server = await startRisTestServer();
});

afterEach(async () => {
  await collector?.stop({ deadlineMs: 5000 });
  collector = null;
  await server.close();
});

function start(over: Parameters<typeof startCollector>[0] = {}) {
  return startCollector({
    url: server.url,
    clientName: 'collector-int-test',
    subscriptions: [{ type: 'UPDATE' }],
    label: 'simulated',
    storeRaw: true,
    batchSize: 40,
    flushMs: 30,
    maxBuffered: 10_000,
    redis,
    backoff: { initialMs: 20, maxMs: 100 },
    stateIntervalMs: 100,
    logger,
    ...over,
  });
}

describe('collector → PostgreSQL', () => {
  it('stores every announced/withdrawn prefix exactly once across a forced disconnect with a resend', async () => {
    collector = await start();
    await server.waitForSubscriptions(1);
    const first = testFrames(0, 120);
    server.send(first.map((f) => f.text));
    await waitFor('first part committed', () => collector!.stats().messages === 120 && collector!.stats().batcher.buffered === 0);

    server.dropClients();
    await server.waitForSubscriptions(2); // reconnected and resubscribed
    // The server resends messages 100..119 (already stored) and continues to 199.
    const second = testFrames(100, 100);
    server.send(second.map((f) => f.text));
    const allExpected = [...first, ...testFrames(120, 80)].flatMap((f) => f.expected);
    await waitFor('gap recorded', async () => (await getPgPool().query('SELECT 1 FROM ingest_gaps')).rowCount === 1);
    await waitFor('everything committed', () => collector!.stats().messages === 220 && collector!.stats().batcher.buffered === 0);

    const stats = collector.stats();
    await collector.stop();
    const counts = await storedCounts();
    expect([...counts.keys()].sort()).toEqual(uniqueKeys(allExpected));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The resent messages produced events that were recognised as already stored.
    expect(stats.duplicates).toBe(testFrames(100, 20).flatMap((f) => f.expected).length);
    expect(stats.inserted).toBe(allExpected.length);
    expect(stats.malformedFrames).toBe(0);

    const gaps = await getPgPool().query<{ reason: string; started_at: Date; ended_at: Date; event_time_from: Date | null; event_time_to: Date | null }>(
      'SELECT reason, started_at, ended_at, event_time_from, event_time_to FROM ingest_gaps',
    );
    expect(gaps.rowCount).toBe(1);
    const gap = gaps.rows[0]!;
    expect(gap.ended_at.getTime()).toBeGreaterThanOrEqual(gap.started_at.getTime());
    expect(gap.event_time_from?.getTime()).toBe(Math.floor(first.at(-1)!.expected[0]!.timestampUs / 1000));
    expect(gap.event_time_to?.getTime()).toBe(Math.floor(second[0]!.expected[0]!.timestampUs / 1000));

    // Window counts are of inserted rows, so the resend did not inflate them.
    const win = await getPgPool().query<{ n: string }>('SELECT coalesce(sum(event_count), 0)::text AS n FROM ingest_windows');
    expect(Number(win.rows[0]!.n)).toBe(allExpected.length);
  });

  it('counts malformed frames and keeps every good message around them', async () => {
    collector = await start({ maxFrameBytes: 64 * 1024 });
    await server.waitForSubscriptions(1);
    const good = testFrames(0, 6);
    const giant = JSON.stringify({ type: 'ris_message', data: { ...JSON.parse(good[0]!.text).data, id: 'giant', pad: 'x'.repeat(200_000) } });
    const frames = [
      good[0]!.text,
      '{"type":"ris_message","data":{"timestamp":', // invalid JSON (truncated)
      good[1]!.text,
      '{"type":"ris_bogus","data":{}}', // unknown type
      good[2]!.text,
      '{"type":"ris_message","data":{"timestamp":1787141896.5,"host":"rrc00.ripe.net","type":"UPDATE"}}', // missing peer, peer_asn, id
      good[3]!.text,
      giant,
      good[4]!.text,
      good[5]!.text,
    ];
    server.send(frames);
    await waitFor('good messages committed', () => collector!.stats().messages === 6 && collector!.stats().batcher.buffered === 0);
    await waitFor('malformed counted', () => collector!.stats().malformedFrames === 4);
    const stats = collector.stats();
    await collector.stop();
    expect(stats.reconnects).toBe(0);
    const counts = await storedCounts();
    expect([...counts.keys()].sort()).toEqual(uniqueKeys(good.flatMap((f) => f.expected)));
    const state = await readFeedState(redis);
    expect(state?.malformedFrames).toBe(4);
  });
});

describe('collector → Redis', () => {
  it('writes the feed state and publishes an update after each committed batch', async () => {
    const sub = createRedisConnection();
    const updates: FeedUpdate[] = [];
    sub.on('message', (_ch, text: string) => updates.push(JSON.parse(text) as FeedUpdate));
    await sub.subscribe(FEED_UPDATES_CHANNEL);
    try {
      collector = await start({ batchSize: 1000, flushMs: 20 });
      await server.waitForSubscriptions(1);
      const frames = testFrames(0, 10);
      server.send(frames.map((f) => f.text));
      await waitFor('an update with events', () => updates.some((u) => u.latest.length > 0));
      const state = await waitFor('feed state with totals', async () => {
        const s = await readFeedState(redis);
        return s && s.totalMessages === 10 && s.connection === 'connected' ? s : null;
      });
      expect(state).toMatchObject({ label: 'simulated', totalEvents: frames.flatMap((f) => f.expected).length, malformedFrames: 0 });
      expect(state.url).toContain('127.0.0.1');
      expect(state.lastEventTimeUs).toBe(frames.at(-1)!.expected[0]!.timestampUs);
      expect(Date.now() - state.updatedAtMs).toBeLessThan(5000);

      const latest = updates.flatMap((u) => u.latest);
      expect(latest.length).toBeLessThanOrEqual(20 * updates.length);
      const lastFrame = frames.at(-1)!.expected[0]!;
      const shown = latest.find((e) => e.prefix === lastFrame.prefix && e.event_type === lastFrame.eventType);
      expect(shown).toMatchObject({ source: 'ris_live_bgp', peer_ip: lastFrame.peerIp });
      expect(shown?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      await collector.stop();
      collector = null;
      expect((await readFeedState(redis))?.connection).toBe('stopped');
    } finally {
      await sub.quit();
    }
  });
});
