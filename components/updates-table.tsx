import type { ApiBgpEvent } from '@/lib/api/types';
import { formatAsPath, formatUtc } from '@/components/format';

/** The newest routing updates, one row per prefix announcement or withdrawal seen by a peer. */
export function UpdatesTable({ events, freshIds }: { events: ApiBgpEvent[]; freshIds: ReadonlySet<string> }) {
  return (
    <section className="rounded border border-panel-edge bg-panel" aria-label="Latest routing updates">
      <div className="flex items-baseline justify-between px-3 py-2">
        <h2 className="text-[11px] uppercase tracking-wider text-ink-dim">Latest routing updates</h2>
        <span className="text-[11px] text-ink-dim">{events.length} shown · times UTC</span>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse font-mono text-xs" data-testid="updates-table">
          <thead>
            <tr className="border-y border-panel-edge text-left text-[11px] text-ink-dim">
              <th className="px-3 py-1 font-normal">time</th>
              <th className="px-2 py-1 font-normal">collector</th>
              <th className="px-2 py-1 text-right font-normal">peer AS</th>
              <th className="px-2 py-1 font-normal">type</th>
              <th className="px-2 py-1 font-normal">prefix</th>
              <th className="px-2 py-1 text-right font-normal">origin AS</th>
              <th className="px-3 py-1 font-normal">AS path</th>
            </tr>
          </thead>
          <tbody>
            {events.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-3 py-6 text-center text-ink-dim">
                  Waiting for routing updates…
                </td>
              </tr>
            ) : (
              events.map((e) => (
                <tr
                  key={e.id}
                  data-prefix={e.prefix}
                  data-fresh={freshIds.has(e.id) ? 'true' : undefined}
                  className="border-b border-panel-edge/60 hover:bg-white/[0.03] data-[fresh=true]:bg-sky-500/10"
                >
                  <td className="tabular whitespace-nowrap px-3 py-0.5 text-ink-dim">{formatUtc(e.timestamp)}</td>
                  <td className="px-2 py-0.5">{e.collector}</td>
                  <td className="tabular px-2 py-0.5 text-right">{e.peer_asn}</td>
                  <td className={`px-2 py-0.5 ${e.event_type === 'announcement' ? 'text-announce' : 'text-withdraw'}`}>
                    {e.event_type === 'announcement' ? 'A' : 'W'}
                    <span className="sr-only">{e.event_type}</span>
                  </td>
                  <td className="whitespace-nowrap px-2 py-0.5">{e.prefix}</td>
                  <td className="tabular px-2 py-0.5 text-right">{e.origin_asn ?? '—'}</td>
                  <td className="max-w-[28rem] truncate px-3 py-0.5 text-ink-dim" title={formatAsPath(e.as_path, e.as_path_set_mask)}>
                    {e.event_type === 'withdrawal' ? '' : formatAsPath(e.as_path, e.as_path_set_mask)}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
