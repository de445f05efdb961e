'use client';

import type { ApiBgpEvent } from '@/lib/api/types';
import type { FeedState } from '@/lib/feed/types';
import { FeedLabelBadge } from '@/components/feed-label-badge';
import { FeedStatusPanel } from '@/components/feed-status-panel';
import { GlobePanel } from '@/components/globe-panel';
import { formatCount, formatRate } from '@/components/format';
import { Sparkline } from '@/components/sparkline';
import { StatTile } from '@/components/stat-tile';
import { UpdatesTable } from '@/components/updates-table';
import { useFeedStream } from '@/components/use-feed-stream';
import { useNow } from '@/components/use-now';

export interface DashboardProps {
  initialFeed: FeedState | null;
  initialEvents: ApiBgpEvent[];
  /** Set when the server could not load the initial data (the live push may still work). */
  loadError: string | null;
}

export function Dashboard({ initialFeed, initialEvents, loadError }: DashboardProps) {
  const view = useFeedStream({ feed: initialFeed, events: initialEvents });
  const now = useNow();
  const { feed } = view;
  return (
    <main className="mx-auto max-w-[1400px] px-4 py-3">
      <header className="mb-3 flex flex-wrap items-center gap-3 border-b border-panel-edge pb-2">
        <h1 className="text-base font-semibold tracking-wide">BGP Observatory</h1>
        <span className="text-xs text-ink-dim">control plane visibility · RIPE RIS Live routing updates</span>
        <a href="/anomalies" className="text-xs text-ink-dim underline-offset-2 hover:text-ink hover:underline">
          anomalies
        </a>
        <a href="/backfills" className="text-xs text-ink-dim underline-offset-2 hover:text-ink hover:underline">
          backfills
        </a>
        <span className="ml-auto">
          <FeedLabelBadge label={feed?.label ?? null} />
        </span>
      </header>
      {feed?.label === 'simulated' ? (
        <p className="mb-3 rounded border border-sim/50 bg-sim/10 px-3 py-1.5 text-xs text-sim">
          Showing the generated demo stream (no route to RIS Live). Routing updates below are simulated, not real BGP data.
        </p>
      ) : null}
      {loadError ? (
        <p role="alert" className="mb-3 rounded border border-withdraw/50 bg-withdraw/10 px-3 py-1.5 text-xs text-withdraw">
          Could not load stored updates: {loadError}. Live updates will still appear when the feed pushes them.
        </p>
      ) : null}
      <div className="grid grid-cols-2 gap-2 md:grid-cols-[repeat(4,minmax(0,1fr))_minmax(0,1.6fr)]">
        <StatTile label="messages / s" value={formatRate(feed?.messagesPerSecond)} testId="messages-rate">
          <Sparkline className="mt-1 text-sky-400" values={view.rateHistory.map((s) => s.messagesPerSecond)} />
        </StatTile>
        <StatTile label="events / s" value={formatRate(feed?.eventsPerSecond)} testId="events-rate">
          <Sparkline className="mt-1 text-announce" values={view.rateHistory.map((s) => s.eventsPerSecond)} />
        </StatTile>
        <StatTile label="messages total" value={formatCount(feed?.totalMessages)} testId="messages-total" />
        <StatTile label="events total" value={formatCount(feed?.totalEvents)} testId="events-total" />
        <div className="col-span-2 md:col-span-1">
          <FeedStatusPanel feed={feed} stream={view.status} nowMs={now} />
        </div>
      </div>
      <div className="mt-3 grid gap-3 lg:grid-cols-[minmax(0,1fr)_320px] lg:items-start">
        <UpdatesTable events={view.events} freshIds={view.freshIds} />
        <GlobePanel events={view.events} freshIds={view.freshIds} />
      </div>
      {view.invalidMessages > 0 ? (
        <p className="mt-2 text-[11px] text-ink-dim">{view.invalidMessages} push message(s) ignored (did not match the API contract).</p>
      ) : null}
    </main>
  );
}
