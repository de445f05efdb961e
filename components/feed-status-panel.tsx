import type { FeedState } from '@/lib/feed/types';
import { formatAgo, formatCount, formatDuration, formatUtcMs } from '@/components/format';
import type { StreamStatus } from '@/components/use-feed-stream';

const CONNECTION_STYLE: Record<FeedState['connection'], string> = {
  connected: 'bg-announce',
  connecting: 'bg-sim animate-pulse',
  disconnected: 'bg-withdraw',
  stopped: 'bg-ink-dim',
};

/** Collector connection to the feed, the browser's own push connection, and the last gap. */
export function FeedStatusPanel({ feed, stream, nowMs }: { feed: FeedState | null; stream: StreamStatus; nowMs: number | null }) {
  const stale = feed !== null && nowMs !== null && nowMs - feed.updatedAtMs > 30_000;
  return (
    <section className="rounded border border-panel-edge bg-panel px-3 py-2 text-sm" aria-label="Feed status">
      <div className="text-[11px] uppercase tracking-wider text-ink-dim">Feed</div>
      {feed ? (
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
          <dt className="text-ink-dim">collector</dt>
          <dd className="flex items-center gap-1.5" data-testid="feed-connection">
            <span className={`inline-block h-2 w-2 rounded-full ${CONNECTION_STYLE[feed.connection]}`} />
            {feed.connection}
            {stale ? <span className="text-withdraw"> (no report {formatAgo(feed.updatedAtMs, nowMs)})</span> : null}
          </dd>
          <dt className="text-ink-dim">source</dt>
          <dd className="truncate font-mono" title={feed.url}>
            {feed.url}
          </dd>
          <dt className="text-ink-dim">last message</dt>
          <dd className="tabular">{formatAgo(feed.lastMessageAtMs, nowMs)}</dd>
          <dt className="text-ink-dim">reconnects</dt>
          <dd className="tabular">
            {formatCount(feed.reconnects)} · malformed frames {formatCount(feed.malformedFrames)}
          </dd>
          <dt className="text-ink-dim">last gap</dt>
          <dd data-testid="last-gap">
            {feed.lastGap ? (
              <span>
                {formatUtcMs(feed.lastGap.startedAtMs)} UTC, {formatDuration(feed.lastGap.endedAtMs - feed.lastGap.startedAtMs)} ({feed.lastGap.reason})
              </span>
            ) : (
              <span className="text-ink-dim">none recorded</span>
            )}
          </dd>
        </dl>
      ) : (
        <p className="mt-1 text-xs text-ink-dim">No collector has reported yet. Start the worker (npm start does) to see routing updates.</p>
      )}
      <div className="mt-1.5 text-[11px] text-ink-dim" data-testid="stream-status">
        push: {stream === 'open' ? 'live' : stream === 'connecting' ? 'connecting…' : 'reconnecting…'}
      </div>
    </section>
  );
}
