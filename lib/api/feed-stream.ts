// Adapter: wires one SSE client to Redis — subscribe first (so nothing published meanwhile is
// missed), then read the current state to send before any update.

import { openFeedSubscription } from '@/lib/api/feed-subscription';
import { readyRedis } from '@/lib/api/health-probe';
import { withTimeout } from '@/lib/api/http';
import { createFeedEventStream } from '@/lib/api/sse';
import { readFeedState } from '@/lib/feed/state';
import { getLogger } from '@/lib/log';

const CONNECT_TIMEOUT_MS = 2_000;
const HEARTBEAT_MS = 15_000;

export async function openFeedStream(signal: AbortSignal, heartbeatMs = HEARTBEAT_MS): Promise<ReadableStream<Uint8Array>> {
  const log = getLogger().child({ module: 'api-stream' });
  const subscription = await openFeedSubscription(CONNECT_TIMEOUT_MS);
  let feed;
  try {
    const redis = await readyRedis(CONNECT_TIMEOUT_MS);
    feed = await withTimeout(readFeedState(redis), CONNECT_TIMEOUT_MS, 'feed state');
  } catch (err) {
    await subscription.close();
    throw err;
  }
  let invalid = 0;
  return createFeedEventStream({
    subscription,
    initial: { feed, latest: [] },
    signal,
    heartbeatMs,
    onInvalid: (reason) => {
      invalid++;
      // Logged at the first and then every 100th so a misbehaving publisher cannot flood the log.
      if (invalid === 1 || invalid % 100 === 0) log.warn({ invalid, reason }, 'skipped feed update that does not match the contract');
    },
  });
}
