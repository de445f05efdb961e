'use client';

// The /anomalies page body: filters, the live list, paging.

import { useState } from 'react';
import { EMPTY_FILTERS, type AnomalyListFilters } from '@/lib/api/anomalies-contract';
import { AnomalyFilters } from '@/components/anomalies/anomaly-filters';
import { AnomalyTable } from '@/components/anomalies/anomaly-table';
import { LiveStatus } from '@/components/anomalies/live-status';
import { useAnomalies } from '@/components/anomalies/use-anomalies';

export function AnomaliesView() {
  const [filters, setFilters] = useState<AnomalyListFilters>(EMPTY_FILTERS);
  const view = useAnomalies(filters);
  return (
    <div className="grid gap-3">
      <AnomalyFilters value={filters} onChange={setFilters} />
      <div className="flex items-center gap-3 text-xs text-ink-dim">
        <span data-testid="anomaly-count">{view.loading ? 'loading…' : `${view.anomalies.length}${view.hasMore ? '+' : ''} anomalies`}</span>
        <LiveStatus status={view.live} />
        <button type="button" className="ml-auto underline-offset-2 hover:underline" onClick={() => setFilters(EMPTY_FILTERS)}>
          clear filters
        </button>
      </div>
      {view.error ? (
        <p role="alert" data-testid="anomaly-error" className="rounded border border-withdraw/50 bg-withdraw/10 px-3 py-1.5 text-xs text-withdraw">
          {view.error}
        </p>
      ) : null}
      {!view.loading && view.anomalies.length === 0 && !view.error ? <p className="text-sm text-ink-dim">No anomalies match these filters.</p> : null}
      {view.anomalies.length > 0 ? <AnomalyTable anomalies={view.anomalies} freshIds={view.freshIds} /> : null}
      {view.hasMore ? (
        <button type="button" className="justify-self-start rounded border border-panel-edge px-3 py-1 text-xs" onClick={view.loadMore}>
          load more
        </button>
      ) : null}
    </div>
  );
}
