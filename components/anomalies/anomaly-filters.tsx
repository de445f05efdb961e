'use client';

// The filter form of the anomalies page: it only edits an AnomalyListFilters value; the hook
// turns it into the API query (the server validates and answers 400 with the reason).

import type { AnomalyListFilters } from '@/lib/api/anomalies-contract';
import { ANOMALY_STATUSES, ANOMALY_TYPES, SEVERITIES } from '@/lib/detect/types';
import { TYPE_LABEL } from '@/components/anomalies/anomaly-style';

function toggle(list: string[], v: string): string[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

function Checks({ name, values, selected, label, onChange }: { name: string; values: readonly string[]; selected: string[]; label: (v: string) => string; onChange: (next: string[]) => void }) {
  return (
    <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-1" data-testid={`filter-${name}`}>
      <legend className="mb-1 text-[11px] uppercase tracking-wider text-ink-dim">{name}</legend>
      {values.map((v) => (
        <label key={v} className="flex items-center gap-1 text-xs">
          <input type="checkbox" name={name} value={v} checked={selected.includes(v)} onChange={() => onChange(toggle(selected, v))} />
          {label(v)}
        </label>
      ))}
    </fieldset>
  );
}

const input = 'rounded border border-panel-edge bg-[#080b10] px-2 py-1 font-mono text-xs text-ink';

export function AnomalyFilters({ value, onChange }: { value: AnomalyListFilters; onChange: (next: AnomalyListFilters) => void }) {
  const set = <K extends keyof AnomalyListFilters>(k: K, v: AnomalyListFilters[K]) => onChange({ ...value, [k]: v });
  return (
    <form className="grid gap-3 rounded border border-panel-edge bg-panel p-3 md:grid-cols-3" onSubmit={(e) => e.preventDefault()} data-testid="anomaly-filters">
      <Checks name="severity" values={SEVERITIES} selected={value.severity} label={(v) => v} onChange={(v) => set('severity', v)} />
      <Checks name="type" values={ANOMALY_TYPES} selected={value.anomalyType} label={(v) => TYPE_LABEL[v as keyof typeof TYPE_LABEL]} onChange={(v) => set('anomalyType', v)} />
      <Checks name="status" values={ANOMALY_STATUSES} selected={value.status} label={(v) => v} onChange={(v) => set('status', v)} />
      <label className="flex flex-col gap-1 text-[11px] uppercase tracking-wider text-ink-dim">
        prefix
        <span className="flex gap-1">
          <input className={`${input} flex-1`} name="prefix" placeholder="208.65.152.0/22" value={value.prefix} onChange={(e) => set('prefix', e.target.value)} />
          <select className={input} name="prefix_match" value={value.prefixMatch} onChange={(e) => set('prefixMatch', e.target.value as AnomalyListFilters['prefixMatch'])}>
            <option value="exact">exact</option>
            <option value="more_specific">and more specifics</option>
          </select>
        </span>
      </label>
      <label className="flex flex-col gap-1 text-[11px] uppercase tracking-wider text-ink-dim">
        origin ASN
        <input className={input} name="origin_asn" placeholder="36561" value={value.originAsn} onChange={(e) => set('originAsn', e.target.value)} />
      </label>
      <div className="flex gap-2">
        <label className="flex flex-1 flex-col gap-1 text-[11px] uppercase tracking-wider text-ink-dim">
          from (UTC)
          <input className={input} name="time_from" placeholder="2026-11-22T00:00Z" value={value.timeFrom} onChange={(e) => set('timeFrom', e.target.value)} />
        </label>
        <label className="flex flex-1 flex-col gap-1 text-[11px] uppercase tracking-wider text-ink-dim">
          to (UTC)
          <input className={input} name="time_to" placeholder="2026-11-23T00:00Z" value={value.timeTo} onChange={(e) => set('timeTo', e.target.value)} />
        </label>
      </div>
    </form>
  );
}
