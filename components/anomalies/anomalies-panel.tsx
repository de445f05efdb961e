'use client';

// Compact panel on the main dashboard: 24 h counts by severity and the ongoing anomalies, watched
// ones first, with a link to the full list.

import { EMPTY_FILTERS } from '@/lib/api/anomalies-contract';
import { rankForPanel } from '@/lib/api/anomaly-list-state';
import { SEVERITIES } from '@/lib/detect/types';
import { AnomalyTable } from '@/components/anomalies/anomaly-table';
import { LiveStatus } from '@/components/anomalies/live-status';
import { SeverityBadge } from '@/components/anomalies/severity-badge';
import { useAnomalies } from '@/components/anomalies/use-anomalies';
import { useAnomalySummary } from '@/components/anomalies/use-anomaly-summary';

const ONGOING = { ...EMPTY_FILTERS, status: ['ongoing'] };

export function AnomaliesPanel() {
  const view = useAnomalies(ONGOING, { limit: 30 });
  const { summary } = useAnomalySummary('24h');
  const top = rankForPanel(view.anomalies).slice(0, 8);
  return (
    <section className="mt-3 rounded border border-panel-edge bg-panel p-3" data-testid="anomalies-panel">
      <header className="mb-2 flex flex-wrap items-center gap-3">
        <h2 className="text-sm font-semibold">Routing anomalies</h2>
        <span className="flex items-center gap-2 text-xs text-ink-dim" data-testid="anomaly-summary">
          {summary ? (
            <>
              {summary.total} in 24 h (BGP time):
              {SEVERITIES.map((s) => (
                <span key={s} className="flex items-center gap-1">
                  <SeverityBadge severity={s} /> {summary.by_severity[s]}
                </span>
              ))}
            </>
          ) : (
            '—'
          )}
        </span>
        <LiveStatus status={view.live} />
        <a href="/anomalies" className="ml-auto text-xs text-ink-dim underline-offset-2 hover:text-ink hover:underline">
          all anomalies →
        </a>
      </header>
      {view.error ? <p className="text-xs text-withdraw">{view.error}</p> : null}
      {top.length === 0 && !view.loading ? <p className="text-xs text-ink-dim">No ongoing anomalies.</p> : <AnomalyTable anomalies={top} freshIds={view.freshIds} compact />}
    </section>
  );
}
