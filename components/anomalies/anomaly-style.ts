// How anomalies look: severity colours and human labels (display only, no logic).

import type { AnomalyDto } from '@/lib/api/anomaly-dto';

export const SEVERITY_STYLE: Record<AnomalyDto['severity'], string> = {
  critical: 'bg-red-500/20 text-red-300 border-red-500/50',
  high: 'bg-orange-500/20 text-orange-300 border-orange-500/50',
  medium: 'bg-yellow-500/15 text-yellow-200 border-yellow-500/40',
  low: 'bg-slate-500/15 text-slate-300 border-slate-500/40',
};

export const TYPE_LABEL: Record<AnomalyDto['type'], string> = {
  origin_change: 'origin change',
  more_specific: 'more-specific',
  mass_withdrawal: 'mass withdrawal',
  path_deviation: 'path deviation',
  visibility_drop: 'visibility drop',
  rpki_invalid: 'RPKI invalid',
};

export const STATUS_STYLE: Record<AnomalyDto['status'], string> = {
  ongoing: 'text-red-300',
  resolved: 'text-emerald-400',
  withdrawn: 'text-emerald-300',
  acknowledged: 'text-sky-300',
  ignored: 'text-ink-dim',
};

export const asns = (list: number[]) => (list.length ? list.map((a) => `AS${a}`).join(', ') : '—');
