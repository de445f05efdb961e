// How the dashboard's anomaly list takes live push messages (pure, used by the client hooks): a
// message about a listed anomaly replaces it in place; one about an unlisted anomaly cannot be
// placed without the server's filters and order, so the hook refetches the first page.

import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import type { AnomalyPushMessage } from '@/lib/detect/push-types';
import { SEVERITIES } from '@/lib/detect/types';

export function applyAnomalyPush(list: readonly AnomalyDto[], msg: AnomalyPushMessage): { list: AnomalyDto[]; refetch: boolean } {
  const i = list.findIndex((a) => a.id === msg.anomaly.id);
  if (i < 0) return { list: [...list], refetch: true };
  const current = list[i]!;
  // Stream entries can arrive after a fresher page: keep whichever row was written last.
  if (current.updatedAt > msg.anomaly.updatedAt) return { list: [...list], refetch: false };
  const next = [...list];
  next[i] = msg.anomaly;
  return { list: next, refetch: false };
}

const ONGOING = new Set(['ongoing', 'acknowledged']);

/**
 * Order of the dashboard's compact panel: watched ongoing anomalies first, then ongoing by
 * severity, then the rest; newest first within each group (the API order is kept as tie-break).
 */
export function rankForPanel(list: readonly AnomalyDto[]): AnomalyDto[] {
  const group = (a: AnomalyDto) => (ONGOING.has(a.status) ? (a.watched ? 0 : 1) : 2);
  return list
    .map((a, i) => ({ a, i }))
    .sort((x, y) => group(x.a) - group(y.a) || (group(x.a) === 1 ? SEVERITIES.indexOf(x.a.severity) - SEVERITIES.indexOf(y.a.severity) : 0) || x.i - y.i)
    .map((x) => x.a);
}
