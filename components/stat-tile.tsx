import type { ReactNode } from 'react';

export function StatTile({ label, value, unit, children, testId }: { label: string; value: string; unit?: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="rounded border border-panel-edge bg-panel px-3 py-2">
      <div className="text-[11px] uppercase tracking-wider text-ink-dim">{label}</div>
      <div className="mt-0.5 flex items-baseline gap-1">
        <span data-testid={testId} className="tabular font-mono text-2xl text-ink">
          {value}
        </span>
        {unit ? <span className="text-xs text-ink-dim">{unit}</span> : null}
      </div>
      {children}
    </div>
  );
}
