import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import { SEVERITY_STYLE } from '@/components/anomalies/anomaly-style';

export function SeverityBadge({ severity }: { severity: AnomalyDto['severity'] }) {
  return <span className={`inline-block rounded border px-1.5 py-px text-[11px] uppercase tracking-wide ${SEVERITY_STYLE[severity]}`}>{severity}</span>;
}
