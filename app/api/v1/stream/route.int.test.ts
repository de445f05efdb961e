// The SSE stream against real Redis: initial state first, published updates forwarded, and the
// Redis subscription released when the client disconnects.

import { afterAll, describe, expect, it } from 'vitest';
import { streamFeedEventSchema } from '@/lib/api/contracts';
import { publishFeedUpdate, writeFeedState } from '@/lib/feed/state';
import { FEED_UPDATES_CHANNEL } from '@/lib/feed/types';
import { closeSharedRedis, getRedis } from '@/lib/queue/connection';
import { feedPayloads, readSseUntil, sampleApiEvent, sampleFeedState } from '@/app/api/test-support';
import { GET } from '@/app/api/v1/stream/route';

async function subscribers(): Promise<number> {
  const reply = (await getRedis().pubsub('NUMSUB', FEED_UPDATES_CHANNEL)) as [string, number];
  return Number(reply[1]);
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterAll(async () => {
  await closeSharedRedis();
});

describe('GET /api/v1/stream', () => {
  it('sends the current state, forwards updates, and unsubscribes on disconnect', async () => {
    const redis = getRedis();
    await new Promise((r) => (redis.status === 'ready' ? r(null) : redis.once('ready', r)));
    const before = await subscribers();
    const now = Date.now();
    await writeFeedState(redis, sampleFeedState(now, { totalMessages: 777 }));

    const ac = new AbortController();
    const res = await GET(new Request('http://localhost/api/v1/stream', { signal: ac.signal }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();

    let text = await readSseUntil(reader, (t) => feedPayloads(t).length >= 1, 5000);
    const first = streamFeedEventSchema.parse(feedPayloads(text)[0]);
    expect(first.feed?.totalMessages).toBe(777);
    expect(first.latest).toEqual([]);
    expect(await subscribers()).toBe(before + 1);

    // Something that is not a FeedUpdate is skipped; the valid update after it arrives intact.
    await redis.publish(FEED_UPDATES_CHANNEL, '{"not":"an update"}');
    const update = { feed: sampleFeedState(now + 1000, { totalMessages: 778 }), latest: [sampleApiEvent('91', '198.51.100.0/24')] };
    expect(await publishFeedUpdate(redis, update)).toBeGreaterThanOrEqual(1);
    text = await readSseUntil(reader, (t) => feedPayloads(t).length >= 2, 5000, text);
    const payloads = feedPayloads(text).map((p) => streamFeedEventSchema.parse(p));
    expect(payloads).toHaveLength(2);
    expect(payloads[1]).toEqual(update);

    ac.abort();
    await waitFor(async () => (await subscribers()) === before, 3000);
  });

  it('starts with feed null before any collector has reported', async () => {
    const redis = getRedis();
    await redis.del('obs:feed:state');
    const ac = new AbortController();
    const res = await GET(new Request('http://localhost/api/v1/stream', { signal: ac.signal }));
    const text = await readSseUntil(res.body!.getReader(), (t) => feedPayloads(t).length >= 1, 5000);
    expect(streamFeedEventSchema.parse(feedPayloads(text)[0])).toEqual({ feed: null, latest: [] });
    ac.abort();
  });
});
