// Helpers for the route handlers' integration tests (not a route: Next only serves route.ts).

import { createServer } from 'node:net';
import type { ApiBgpEvent } from '@/lib/api/types';
import type { FeedState } from '@/lib/feed/types';

/** A TCP port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function sampleFeedState(nowMs: number, over: Partial<FeedState> = {}): FeedState {
  return {
    url: 'ws://127.0.0.1:9/v1/ws/?client=test',
    label: 'simulated',
    connection: 'connected',
    messagesPerSecond: 42.5,
    eventsPerSecond: 97,
    totalMessages: 12_345,
    totalEvents: 23_456,
    malformedFrames: 3,
    lastMessageAtMs: nowMs - 1_000,
    lastEventTimeUs: (nowMs - 1_000) * 1000,
    lastGap: { startedAtMs: nowMs - 120_000, endedAtMs: nowMs - 118_000, reason: 'server closed the connection' },
    reconnects: 1,
    updatedAtMs: nowMs,
    ...over,
  };
}

export function sampleApiEvent(id: string, prefix: string): ApiBgpEvent {
  return {
    id,
    source: 'ris_live_bgp',
    collector: 'rrc00',
    peer_asn: 64500,
    peer_ip: '192.0.2.1',
    event_type: 'announcement',
    prefix,
    prefix_length: Number(prefix.split('/')[1]),
    origin_asn: 64510,
    as_path: [64500, 64510],
    as_path_set_mask: null,
    as_path_length: 2,
    communities: [],
    next_hop: '192.0.2.1',
    med: null,
    local_pref: null,
    origin_attribute: 'igp',
    aggregator: null,
    timestamp: '2026-11-22T10:00:00.000001Z',
    raw_message: null,
    dedup_key: '1',
    ingested_at: '2026-11-22T10:00:00.100Z',
  };
}

/** Reads SSE text from a response body until `done(text)` holds or the deadline passes. */
export async function readSseUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
  timeoutMs: number,
  sofar = '',
): Promise<string> {
  const dec = new TextDecoder();
  let text = sofar;
  const deadline = Date.now() + timeoutMs;
  while (!done(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`SSE condition not met within ${timeoutMs} ms; got: ${text.slice(-500)}`);
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`SSE condition not met within ${timeoutMs} ms; got: ${text.slice(-500)}`)), left);
      }),
    ]).finally(() => clearTimeout(timer));
    if (r.done) throw new Error(`SSE stream ended early; got: ${text.slice(-500)}`);
    text += dec.decode(r.value, { stream: true });
  }
  return text;
}

/** The JSON payloads of every `event: feed` block in the text. */
export function feedPayloads(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: feed\n'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
}
