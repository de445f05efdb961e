'use client';

// The drill-down of one anomaly: what, how sure, when (BGP time), expected vs observed origins,
// who saw it (peers, collectors, sample sightings with AS paths) and the rule's own figures.

import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import { formatUtc } from '@/components/format';
import { STATUS_STYLE, TYPE_LABEL, asns } from '@/components/anomalies/anomaly-style';
import { LiveStatus } from '@/components/anomalies/live-status';
import { SeverityBadge } from '@/components/anomalies/severity-badge';
import { useAnomaly } from '@/components/anomalies/use-anomaly';

function span(fromIso: string, toIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className="rounded border border-panel-edge bg-panel p-3" data-testid={testId}>
      <h2 className="mb-2 text-[11px] uppercase tracking-wider text-ink-dim">{title}</h2>
      {children}
    </section>
  );
}

function Row({ k, v }: { k: string; v: React.ReactNode }) {
  return (
    <div className="flex gap-3 text-xs">
      <dt className="w-36 shrink-0 text-ink-dim">{k}</dt>
      <dd className="font-mono">{v}</dd>
    </div>
  );
}

function PathView({ path, origin }: { path: number[]; origin: number | null }) {
  if (path.length === 0) return <span className="text-ink-dim">withdrawn</span>;
  return (
    <span>
      {path.map((asn, i) => (
        <span key={i} className={i === path.length - 1 ? (asn === origin ? 'text-orange-300' : 'text-ink') : 'text-ink-dim'}>
          {i > 0 ? ' ' : ''}
          {asn}
        </span>
      ))}
    </span>
  );
}

export function AnomalyDetail({ id }: { id: string }) {
  const { anomaly: a, error, notFound, live } = useAnomaly(id);
  if (notFound) return <p className="text-sm text-ink-dim" data-testid="anomaly-not-found">No anomaly {id}. It may have been removed.</p>;
  if (!a) return error ? <p role="alert" className="text-sm text-withdraw">{error}</p> : <p className="text-sm text-ink-dim">loading…</p>;
  const details = Object.entries(a.evidence.details);
  return (
    <div className="grid gap-3" data-testid="anomaly-detail" data-anomaly-id={a.id}>
      <header className="flex flex-wrap items-center gap-3">
        <SeverityBadge severity={a.severity} />
        <h1 className="text-base font-semibold">
          {TYPE_LABEL[a.type]}
          {a.prefix ? <span className="font-mono"> · {a.prefix}</span> : null}
        </h1>
        <span className={`text-xs ${STATUS_STYLE[a.status]}`} data-testid="anomaly-status">
          {a.status}
        </span>
        {a.watched ? <span className="text-xs text-sky-300">★ watched resource</span> : null}
        <span className="ml-auto">
          <LiveStatus status={live} />
        </span>
      </header>
      <p className="text-sm" data-testid="anomaly-summary-text">{a.summary}</p>
      {error ? <p className="text-xs text-withdraw">refresh failed: {error}</p> : null}
      <div className="grid gap-3 md:grid-cols-3">
        <Section title="Assessment">
          <dl className="grid gap-1">
            <Row k="severity" v={a.severity} />
            <Row k="confidence" v={`${Math.round(a.confidence * 100)} %`} />
            <Row k="type" v={TYPE_LABEL[a.type]} />
            <Row k="entity" v={a.entityKey} />
            <Row k="source" v={a.source} />
            {a.evidence.heuristic ? <Row k="method" v="heuristic (inferred from baseline link hints)" /> : null}
          </dl>
        </Section>
        <Section title="Timeline (UTC, BGP event time)" testId="anomaly-timeline">
          <dl className="grid gap-1">
            <Row k="started" v={formatUtc(a.startedAt)} />
            <Row k="last seen" v={`${formatUtc(a.lastSeenAt)} (+${span(a.startedAt, a.lastSeenAt)})`} />
            <Row k="ended" v={a.endedAt ? `${formatUtc(a.endedAt)} (lasted ${span(a.startedAt, a.endedAt)})` : 'ongoing'} />
            <Row k="recorded" v={formatUtc(a.createdAt)} />
          </dl>
        </Section>
        <Section title="Origins" testId="anomaly-origins">
          <dl className="grid gap-1">
            <Row k="expected (baseline)" v={asns(a.baselineOrigins)} />
            <Row k="observed" v={a.originAsn === null ? '—' : `AS${a.originAsn}`} />
          </dl>
        </Section>
      </div>
      <Section title={`Who saw it: ${a.evidence.peers.length} peers (peak ${a.peakPeers}) on ${a.evidence.collectors.length} collectors`} testId="anomaly-visibility">
        <p className="mb-2 text-xs">
          <span className="text-ink-dim">collectors: </span>
          <span className="font-mono">{a.evidence.collectors.join(', ') || '—'}</span>
        </p>
        <ul className="grid max-h-48 gap-x-4 overflow-y-auto font-mono text-[11px] text-ink-dim sm:grid-cols-2 lg:grid-cols-3" data-testid="anomaly-peers">
          {a.evidence.peers.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </Section>
      <Section title="Sample sightings" testId="anomaly-samples">
        {a.evidence.samples.length === 0 ? (
          <p className="text-xs text-ink-dim">No samples kept.</p>
        ) : (
          <table className="w-full text-left text-xs">
            <thead className="text-[11px] uppercase tracking-wider text-ink-dim">
              <tr>
                <th className="px-2 py-1">Time (UTC)</th>
                <th className="px-2 py-1">Collector</th>
                <th className="px-2 py-1">Peer</th>
                <th className="px-2 py-1">AS path</th>
              </tr>
            </thead>
            <tbody className="font-mono">
              {a.evidence.samples.map((s, i) => (
                <tr key={i} className="border-t border-panel-edge" data-testid="anomaly-sample">
                  <td className="tabular px-2 py-1">{formatUtc(s.at)}</td>
                  <td className="px-2 py-1">{s.collector}</td>
                  <td className="px-2 py-1">
                    {s.peerIp} AS{s.peerAsn}
                  </td>
                  <td className="px-2 py-1">
                    <PathView path={s.asPath} origin={a.originAsn} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {details.length > 0 ? (
        <Section title="Details" testId="anomaly-details">
          <dl className="grid gap-1 sm:grid-cols-2">
            {details.map(([k, v]) => (
              <Row key={k} k={k} v={Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)} />
            ))}
          </dl>
        </Section>
      ) : null}
      {a.prefix ? (
        <p className="text-xs text-ink-dim">
          Raw updates:{' '}
          <a className="underline" href={`/api/v1/bgp/events?prefix=${encodeURIComponent(a.prefix)}&prefix_match=more_specific&limit=100`}>
            /api/v1/bgp/events for {a.prefix}
          </a>{' '}
          · baseline:{' '}
          <a className="underline" href={`/api/v1/bgp/prefixes/${encodeURIComponent(a.prefix)}/baseline`}>
            24 h
          </a>
        </p>
      ) : null}
    </div>
  );
}
