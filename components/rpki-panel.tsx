'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { summaryResponseSchema, validityResponseSchema, type SummaryResponse, type ValidityResponse } from '@/lib/api/rpki-contracts';
import { formatCount } from '@/components/format';

const POLL_MS = 10_000;

function formatAge(s: number | null): string {
  if (s === null) return 'never';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function useRpkiSummary(): { summary: SummaryResponse['data'] | null; error: string | null } {
  const [summary, setSummary] = useState<SummaryResponse['data'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const res = await fetch('/api/v1/rpki/summary', { cache: 'no-store' });
        const parsed = summaryResponseSchema.safeParse(await res.json());
        if (!alive) return;
        if (!res.ok || !parsed.success) setError(res.ok ? 'answer did not match the API contract' : `HTTP ${res.status}`);
        else {
          setSummary(parsed.data.data);
          setError(null);
        }
      } catch (err) {
        if (alive) setError(err instanceof Error ? err.message : String(err));
      }
    };
    void load();
    const t = setInterval(() => void load(), POLL_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, []);
  return { summary, error };
}

const STATE_STYLE: Record<ValidityResponse['data']['state'], string> = { valid: 'text-announce', invalid: 'text-withdraw', not_found: 'text-ink-dim' };

function ValidityLookup() {
  const [prefix, setPrefix] = useState('');
  const [asn, setAsn] = useState('');
  const [answer, setAnswer] = useState<ValidityResponse['data'] | string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const params = new URLSearchParams({ prefix: prefix.trim(), origin_asn: asn.trim().replace(/^AS/i, '') });
    try {
      const res = await fetch(`/api/v1/rpki/validity?${params}`, { cache: 'no-store' });
      const body: unknown = await res.json();
      const ok = validityResponseSchema.safeParse(body);
      setAnswer(ok.success ? ok.data.data : ((body as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`));
    } catch (err) {
      setAnswer(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="mt-2 flex flex-wrap items-center gap-1.5 text-xs">
      <input aria-label="prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="192.0.2.0/24" className="w-36 rounded border border-panel-edge bg-transparent px-1.5 py-0.5 font-mono" />
      <input aria-label="origin ASN" value={asn} onChange={(e) => setAsn(e.target.value)} placeholder="AS64500" className="w-24 rounded border border-panel-edge bg-transparent px-1.5 py-0.5 font-mono" />
      <button type="submit" className="rounded border border-panel-edge px-2 py-0.5 hover:bg-panel-edge">check</button>
      {answer === null ? null : typeof answer === 'string' ? (
        <span role="alert" className="text-withdraw">{answer}</span>
      ) : (
        <span data-testid="rpki-verdict" className={STATE_STYLE[answer.state]}>
          {answer.state.replace('_', ' ')}
          {answer.reason ? ` (${answer.reason.replace('_', ' ')})` : ''} · {answer.covering_vrps.length} covering VRP{answer.covering_vrps.length === 1 ? '' : 's'}
        </span>
      )}
    </form>
  );
}

/** RPKI route origin validation: verdicts over the visible routes, VRP set freshness per source, a lookup. */
export function RpkiPanel() {
  const { summary, error } = useRpkiSummary();
  const routes = summary?.routes ?? null;
  const total = routes ? routes.valid + routes.invalid + routes.not_found : 0;
  const pct = (n: number) => (total > 0 ? `${((100 * n) / total).toFixed(1)} %` : '–');
  return (
    <section className="mx-auto mt-3 max-w-[1400px] px-4 pb-4" aria-label="RPKI">
      <div className="rounded border border-panel-edge bg-panel px-3 py-2 text-sm">
        <div className="flex items-center gap-2 text-[11px] uppercase tracking-wider text-ink-dim">
          RPKI route origin validation
          {summary?.stale ? <span className="normal-case text-withdraw">(worker has not reported recently)</span> : null}
        </div>
        {error ? <p className="mt-1 text-xs text-withdraw">Could not load the RPKI summary: {error}</p> : null}
        <div className="mt-1 grid grid-cols-3 gap-2 text-xs" data-testid="rpki-counts">
          <div>
            <div className="text-ink-dim">valid</div>
            <div className="tabular font-mono text-lg text-announce">{formatCount(routes?.valid)}</div>
            <div className="text-ink-dim">{routes ? pct(routes.valid) : ''}</div>
          </div>
          <div>
            <div className="text-ink-dim">invalid</div>
            <div className="tabular font-mono text-lg text-withdraw">{formatCount(routes?.invalid)}</div>
            <div className="text-ink-dim">{routes ? pct(routes.invalid) : ''}</div>
          </div>
          <div>
            <div className="text-ink-dim">not found</div>
            <div className="tabular font-mono text-lg">{formatCount(routes?.not_found)}</div>
            <div className="text-ink-dim">{routes ? pct(routes.not_found) : ''}</div>
          </div>
        </div>
        <p className="mt-1 text-[11px] text-ink-dim">
          over {formatCount(routes?.visible_pairs)} announced (prefix, origin) pairs · {formatCount(summary?.vrps?.total)} VRPs
          {summary?.vrps?.aspas ? ` · ${formatCount(summary.vrps.aspas)} ASPA (experimental)` : ''}
        </p>
        <ul className="mt-1 space-y-0.5 text-xs" data-testid="rpki-sources">
          {summary && summary.sources.length === 0 ? <li className="text-ink-dim">No RPKI source configured (RPKI_RTR, RPKI_VRP_URL, RPKI_VRP_FILE).</li> : null}
          {summary?.sources.map((s) => (
            <li key={s.id} className="flex flex-wrap gap-x-2">
              <span className={`inline-block h-2 w-2 self-center rounded-full ${s.stale ? 'bg-withdraw' : 'bg-announce'}`} />
              <span className="font-mono">{s.id}</span>
              <span className="text-ink-dim">
                serial {s.serial ?? '–'} · {formatCount(s.vrp_count)} VRPs · loaded {formatAge(s.age_seconds)}
                {s.stale ? ' · stale' : ''}
              </span>
              {s.last_error && s.stale ? <span className="truncate text-withdraw" title={s.last_error}>{s.last_error}</span> : null}
            </li>
          ))}
        </ul>
        <ValidityLookup />
      </div>
    </section>
  );
}
