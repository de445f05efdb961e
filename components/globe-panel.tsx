'use client';

import dynamic from 'next/dynamic';
import { useMemo } from 'react';
import { collectorActivity } from '@/components/collector-locations';
import type { ApiBgpEvent } from '@/lib/api/types';

const RoutingGlobe = dynamic(() => import('@/components/routing-globe').then((m) => m.RoutingGlobe), {
  ssr: false,
  loading: () => <div className="flex h-full items-center justify-center text-xs text-ink-dim">loading globe…</div>,
});

const WIDTH = 300;
const HEIGHT = 260;

/** Where the shown updates were collected: one point per RIS collector, a ring where updates just arrived. */
export function GlobePanel({ events, freshIds }: { events: ApiBgpEvent[]; freshIds: ReadonlySet<string> }) {
  const collectors = useMemo(() => collectorActivity(events, freshIds), [events, freshIds]);
  return (
    <section className="rounded border border-panel-edge bg-panel" aria-label="Collectors">
      <h2 className="px-3 pt-2 text-[11px] uppercase tracking-wider text-ink-dim">Collector visibility</h2>
      <div style={{ width: WIDTH, height: HEIGHT }} className="mx-auto">
        <RoutingGlobe collectors={collectors} width={WIDTH} height={HEIGHT} />
      </div>
      <ul className="max-h-40 overflow-y-auto px-3 pb-2 font-mono text-[11px]" data-testid="collector-list">
        {collectors.length === 0 ? <li className="text-ink-dim">no collector seen yet</li> : null}
        {collectors.map((c) => (
          <li key={c.collector} className="flex justify-between gap-2">
            <span className={c.fresh ? 'text-sky-400' : undefined}>
              {c.collector} <span className="text-ink-dim">{c.city}</span>
            </span>
            <span className="tabular">{c.updates}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
