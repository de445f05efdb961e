import { describe, expect, it } from 'vitest';
import { createFeedEventStream, parsePublishedUpdate, sseComment, sseEvent, type FeedSubscription } from '@/lib/api/sse';
import type { FeedState } from '@/lib/feed/types';

const feed: FeedState = {
  url: 'ws://127.0.0.1:1/',
  label: 'live',
  connection: 'connected',
  messagesPerSecond: 1,
  eventsPerSecond: 2,
  totalMessages: 3,
  totalEvents: 4,
  malformedFrames: 0,
  lastMessageAtMs: null,
  lastEventTimeUs: null,
  lastGap: null,
  reconnects: 0,
  updatedAtMs: 1,
};

/** An in-memory stand-in for the Redis subscription (the interface the stream consumes). */
function fakeSubscription() {
  let listener: ((t: string) => void) | null = null;
  const pending: string[] = [];
  const state = { closed: 0 };
  const sub: FeedSubscription = {
    onMessage(l) {
      listener = l;
      for (const t of pending.splice(0)) l(t);
    },
    async close() {
      state.closed++;
    },
  };
  const publish = (t: string) => (listener ? listener(t) : pending.push(t));
  return { sub, publish, state };
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<string> {
  const dec = new TextDecoder();
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = await reader.read();
    if (r.done) break;
    out += dec.decode(r.value);
  }
  return out;
}

describe('SSE framing', () => {
  it('writes one event per JSON payload and single-line comments', () => {
    expect(sseEvent('feed', { a: 'x\ny' })).toBe('event: feed\ndata: {"a":"x\\ny"}\n\n');
    expect(sseComment('a\nb')).toBe(': a b\n\n');
  });

  it('parses published updates against the contract', () => {
    expect(parsePublishedUpdate(JSON.stringify({ feed, latest: [] })).ok).toBe(true);
    expect(parsePublishedUpdate('{nope')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parsePublishedUpdate(JSON.stringify({ feed: { ...feed, label: 'other' }, latest: [] })).ok).toBe(false);
  });
});

describe('createFeedEventStream', () => {
  it('sends the retry hint and the initial state, then each valid update, skipping bad ones', async () => {
    const { sub, publish } = fakeSubscription();
    publish(JSON.stringify({ feed: { ...feed, totalMessages: 10 }, latest: [] })); // before the stream starts
    const invalid: string[] = [];
    const ac = new AbortController();
    const stream = createFeedEventStream({ subscription: sub, initial: { feed, latest: [] }, signal: ac.signal, heartbeatMs: 60_000, onInvalid: (r) => invalid.push(r) });
    const reader = stream.getReader();
    const head = await readChunks(reader, 3);
    expect(head.startsWith('retry: 3000\n\n')).toBe(true);
    const events = head.split('\n\n').filter((b) => b.startsWith('event: feed'));
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!.split('data: ')[1]!).feed.totalMessages).toBe(3);
    expect(JSON.parse(events[1]!.split('data: ')[1]!).feed.totalMessages).toBe(10);
    publish('garbage');
    publish(JSON.stringify({ feed: { ...feed, totalMessages: 11 }, latest: [] }));
    const next = await readChunks(reader, 1);
    expect(JSON.parse(next.split('data: ')[1]!).feed.totalMessages).toBe(11);
    expect(invalid).toEqual(['not JSON']);
    ac.abort();
  });

  it('sends comment heartbeats', async () => {
    const { sub } = fakeSubscription();
    const ac = new AbortController();
    const reader = createFeedEventStream({ subscription: sub, initial: { feed: null, latest: [] }, signal: ac.signal, heartbeatMs: 20 }).getReader();
    const text = await readChunks(reader, 3);
    expect(text).toMatch(/\n\n: heartbeat \d{4}-/);
    ac.abort();
  });

  it('closes the subscription and ends the stream when the client goes away', async () => {
    const { sub, state } = fakeSubscription();
    const ac = new AbortController();
    let closedCalls = 0;
    const reader = createFeedEventStream({ subscription: sub, initial: { feed: null, latest: [] }, signal: ac.signal, heartbeatMs: 60_000, onClose: () => closedCalls++ }).getReader();
    await readChunks(reader, 2);
    ac.abort();
    expect(state.closed).toBe(1);
    expect(closedCalls).toBe(1);
    expect((await reader.read()).done).toBe(true);
  });

  it('cleans up when the consumer cancels', async () => {
    const { sub, state } = fakeSubscription();
    const stream = createFeedEventStream({ subscription: sub, initial: { feed: null, latest: [] }, signal: new AbortController().signal, heartbeatMs: 60_000 });
    await stream.cancel();
    expect(state.closed).toBe(1);
  });
});
