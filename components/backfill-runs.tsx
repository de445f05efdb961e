'use client';

// The backfill runs list: files done/total, events, rate, ETA, errors. Starts from the server's
// first page and refreshes itself through the API every few seconds while a run is open.

import { useEffect, useState } from 'react';
import { backfillListSchema, type ApiBackfillRun } from '@/lib/api/backfills';

const REFRESH_MS = 3_000;
const OPEN = new Set(['planning', 'running']);

function duration(s: number | null): string {
  if (s === null) return '—';
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function what(params: unknown): string {
  const p = params as { kind?: string; files?: string[]; from?: number; to?: number; collectors?: string[]; type?: string; gapId?: string };
  if (p.kind === 'files') return `${p.files?.length ?? 0} local file${p.files?.length === 1 ? '' : 's'}`;
  const span = p.from !== undefined && p.to !== undefined ? `${new Date(p.from * 1000).toISOString().slice(0, 16)} – ${new Date(p.to * 1000).toISOString().slice(11, 16)}` : '';
  return `${p.type ?? ''} ${span} ${p.collectors?.length ? p.collectors.join(',') : 'all collectors'}${p.gapId ? ` (gap ${p.gapId})` : ''}`;
}

const STATUS_STYLE: Record<string, string> = {
  done: 'text-emerald-400',
  partial: 'text-amber-400',
  failed: 'text-red-400',
  running: 'text-sky-400',
  planning: 'text-ink-dim',
};

export function BackfillRuns({ initial, loadError }: { initial: ApiBackfillRun[]; loadError: string | null }) {
  const [runs, setRuns] = useState(initial);
  const [error, setError] = useState(loadError);
  const anyOpen = runs.some((r) => OPEN.has(r.status));

  useEffect(() => {
    if (!anyOpen) return;
    const t = setInterval(async () => {
      try {
        const res = await fetch('/api/v1/bgp/backfills?limit=50', { cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        setRuns(backfillListSchema.parse(await res.json()).data);
        setError(null);
      } catch (err) {
        setError(`refresh failed: ${(err as Error).message}`);
      }
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [anyOpen]);

  if (runs.length === 0) {
    return <p className="text-sm text-ink-dim">No backfill runs yet. Start one with <code>npm run backfill -- --file &lt;mrt&gt;</code> or POST /api/v1/bgp/backfills.</p>;
  }
  return (
    <div className="overflow-x-auto">
      {error ? <p className="mb-2 text-sm text-red-400">{error}</p> : null}
      <table className="w-full text-left text-sm" data-testid="backfill-runs">
        <thead className="text-[11px] uppercase tracking-wider text-ink-dim">
          <tr>
            <th className="px-2 py-1">Run</th>
            <th className="px-2 py-1">What</th>
            <th className="px-2 py-1">Status</th>
            <th className="px-2 py-1">Files</th>
            <th className="px-2 py-1">Events</th>
            <th className="px-2 py-1">Rate</th>
            <th className="px-2 py-1">ETA</th>
            <th className="px-2 py-1">Errors</th>
            <th className="px-2 py-1" title="RPKI route origin validation of the announcements, against the VRP set in force when the run was loaded">RPKI valid / invalid / not found</th>
          </tr>
        </thead>
        <tbody className="tabular font-mono">
          {runs.map((r) => (
            <tr key={r.id} className="border-t border-panel-edge" title={r.last_error ?? undefined}>
              <td className="px-2 py-1">{r.id}</td>
              <td className="px-2 py-1 font-sans">{what(r.params)}</td>
              <td className={`px-2 py-1 ${STATUS_STYLE[r.status] ?? ''}`}>{r.status}</td>
              <td className="px-2 py-1">
                {r.files_done + r.files_failed}/{r.files_total}
                <div className="mt-0.5 h-1 w-24 bg-panel-edge">
                  <div className="h-1 bg-sky-500" style={{ width: `${Math.round(r.progress * 100)}%` }} />
                </div>
              </td>
              <td className="px-2 py-1">{r.events.toLocaleString('en-US')}</td>
              <td className="px-2 py-1">{r.events_per_second === null ? '—' : `${r.events_per_second.toLocaleString('en-US')}/s`}</td>
              <td className="px-2 py-1">{duration(r.eta_seconds)}</td>
              <td className={`px-2 py-1 ${r.errors > 0 ? 'text-red-400' : ''}`}>{r.errors}</td>
              <td className="px-2 py-1" data-testid="backfill-rpki">
                {r.rpki ? (
                  <>
                    {r.rpki.valid.toLocaleString('en-US')} / <span className={r.rpki.invalid > 0 ? 'text-red-400' : ''}>{r.rpki.invalid.toLocaleString('en-US')}</span> / {r.rpki.not_found.toLocaleString('en-US')}
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
