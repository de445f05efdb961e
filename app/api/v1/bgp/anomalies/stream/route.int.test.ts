// The anomaly SSE endpoint against real Redis: entries appended to bgp:anomalies after the client
// connected arrive as `event: anomaly` with their stream id, a reconnect with Last-Event-ID gets
// exactly what it missed, a resume point older than the stream gets `event: gap` first, foreign
// entries are skipped, and the endpoint's Redis connection goes away when the client does.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { ANOMALY_STREAM_KEY, anomalyPushMessageSchema, type AnomalyPushMessage } from '@/lib/detect/push-types';
import type { StoredAnomaly } from '@/lib/detect/types';
import { createRedisConnection } from '@/lib/queue/connection';
import { publishAnomalyPushes } from '@/lib/queue/detect-stream';
import { readSseUntil } from '@/app/api/test-support';
import { GET } from '@/app/api/v1/bgp/anomalies/stream/route';

let redis: Redis;

function message(i: number, kind: AnomalyPushMessage['kind'] = 'new'): AnomalyPushMessage {
  const a: StoredAnomaly = {
    id: String(1000 + i),
    source: 'detector',
    type: 'more_specific',
    entityKey: `198.51.${i}.0/24|64666`,
    prefix: `198.51.${i}.0/24`,
    baselineOrigins: [64500],
    originAsn: 64666,
    startedAtUs: Date.UTC(2026, 0, 1) * 1000 + i,
    confidence: 0.8,
    severity: 'critical',
    summary: `test ${i}`,
    evidence: { peers: ['rrc00 192.0.2.1 AS64501'], collectors: ['rrc00'], samples: [], details: { peers: 1 } },
    watched: false,
    dedupKey: `more_specific|198.51.${i}.0/24|64666|1`,
    status: kind === 'resolved' ? 'resolved' : 'ongoing',
    endedAtUs: kind === 'resolved' ? Date.UTC(2026, 0, 1, 1) * 1000 : null,
    lastSeenUs: Date.UTC(2026, 0, 1) * 1000 + i,
    peakPeers: 1,
    createdAtMs: 1,
    updatedAtMs: 2,
  };
  return { kind, anomaly: toAnomalyDto(a), publishedAtMs: Date.now() };
}

interface SseAnomaly {
  id: string;
  msg: AnomalyPushMessage;
}

function anomalies(text: string): SseAnomaly[] {
  const out: SseAnomaly[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    if (!lines.includes('event: anomaly')) continue;
    const id = lines.find((l) => l.startsWith('id: '))!.slice(4);
    out.push({ id, msg: anomalyPushMessageSchema.parse(JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6))) });
  }
  return out;
}

async function clients(): Promise<number> {
  return String(await redis.client('LIST')).split('\n').filter((l) => l.includes('cmd=xread')).length;
}

beforeAll(async () => {
  redis = createRedisConnection({ maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  await redis.quit();
});

describe('GET /api/v1/bgp/anomalies/stream', () => {
  it('streams new entries with their ids, resumes from Last-Event-ID without loss, and closes its connection on disconnect', async () => {
    await publishAnomalyPushes(redis, [message(1)]); // before the client: not sent
    const ac = new AbortController();
    const res = await GET(new Request('http://localhost/api/v1/bgp/anomalies/stream', { signal: ac.signal }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = await readSseUntil(reader, (t) => t.includes(': anomalies after'), 5000);

    await redis.xadd(ANOMALY_STREAM_KEY, '*', 'data', '{"not":"a push message"}');
    const ids = await publishAnomalyPushes(redis, [message(2), message(3), message(2, 'resolved')]);
    text = await readSseUntil(reader, (t) => anomalies(t).length >= 3, 5000, text);
    const got = anomalies(text);
    expect(got.map((g) => g.id)).toEqual(ids);
    expect(got.map((g) => [g.msg.kind, g.msg.anomaly.prefix])).toEqual([
      ['new', '198.51.2.0/24'],
      ['new', '198.51.3.0/24'],
      ['resolved', '198.51.2.0/24'],
    ]);
    await expect.poll(clients, { timeout: 3000 }).toBeGreaterThanOrEqual(1);
    const during = await clients();
    ac.abort();
    await expect.poll(clients, { timeout: 3000 }).toBe(during - 1);

    // Missed while disconnected: two entries; the reconnect names the last one it saw.
    const missed = await publishAnomalyPushes(redis, [message(4), message(5)]);
    const ac2 = new AbortController();
    const res2 = await GET(new Request('http://localhost/api/v1/bgp/anomalies/stream', { signal: ac2.signal, headers: { 'Last-Event-ID': ids[2]! } }));
    const text2 = await readSseUntil(res2.body!.getReader(), (t) => anomalies(t).length >= 2, 5000);
    expect(anomalies(text2).map((g) => g.id)).toEqual(missed);
    expect(text2).not.toContain('event: gap');
    ac2.abort();
  });

  it('a resume point older than the oldest kept entry gets event: gap first', async () => {
    await publishAnomalyPushes(redis, [message(6)]);
    const ac = new AbortController();
    const res = await GET(new Request('http://localhost/api/v1/bgp/anomalies/stream?last_event_id=1-0', { signal: ac.signal }));
    const text = await readSseUntil(res.body!.getReader(), (t) => t.includes('event: gap'), 5000);
    expect(text).toMatch(/event: gap\ndata: \{"last_event_id":"1-0","oldest_available":"\d+-\d+"\}/);
    ac.abort();
  });
});
