import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import { formatUtc } from '@/components/format';
import { STATUS_STYLE, TYPE_LABEL, asns } from '@/components/anomalies/anomaly-style';
import { SeverityBadge } from '@/components/anomalies/severity-badge';

/** Anomalies as rows; each links to its drill-down. */
export function AnomalyTable({ anomalies, freshIds, compact = false }: { anomalies: AnomalyDto[]; freshIds?: ReadonlySet<string>; compact?: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs" data-testid="anomaly-table">
        <thead className="text-[11px] uppercase tracking-wider text-ink-dim">
          <tr>
            <th className="px-2 py-1">Severity</th>
            <th className="px-2 py-1">Type</th>
            <th className="px-2 py-1">Prefix</th>
            <th className="px-2 py-1">Expected → observed origin</th>
            {compact ? null : <th className="px-2 py-1">Started (UTC, BGP time)</th>}
            <th className="px-2 py-1">Status</th>
            {compact ? null : <th className="px-2 py-1">Peers</th>}
            <th className="px-2 py-1">Summary</th>
          </tr>
        </thead>
        <tbody>
          {anomalies.map((a) => (
            <tr
              key={a.id}
              data-testid="anomaly-row"
              data-anomaly-id={a.id}
              data-prefix={a.prefix ?? ''}
              className={`border-t border-panel-edge align-top ${freshIds?.has(a.id) ? 'bg-sky-500/10' : ''}`}
            >
              <td className="px-2 py-1">
                <SeverityBadge severity={a.severity} />
                {a.watched ? <span className="ml-1 text-[10px] text-sky-300" title="matches the watch list">★ watched</span> : null}
              </td>
              <td className="px-2 py-1">{TYPE_LABEL[a.type]}</td>
              <td className="px-2 py-1 font-mono">{a.prefix ?? '—'}</td>
              <td className="px-2 py-1 font-mono">
                {asns(a.baselineOrigins)} → {a.originAsn === null ? '—' : `AS${a.originAsn}`}
              </td>
              {compact ? null : <td className="tabular px-2 py-1 font-mono">{formatUtc(a.startedAt)}</td>}
              <td className={`px-2 py-1 ${STATUS_STYLE[a.status]}`}>{a.status}</td>
              {compact ? null : <td className="tabular px-2 py-1 font-mono">{a.peakPeers}</td>}
              <td className="px-2 py-1">
                <a href={`/anomalies/${a.id}`} className="text-ink underline-offset-2 hover:underline">
                  {a.summary}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
