// Which push messages reach which target, and when to notify again (pure). BGPalerter-style
// re-notify rules: a target hears about an anomaly once when it first matches, again when its
// severity goes up, and once when it ends; plain evidence updates (more peers, new samples) are
// not sent. State per (target, anomaly) is the last notification enqueued (NotifiedState).

import type { NotifiedState, NotifyReason, WebhookTarget } from '@/lib/alerts/types';
import type { AnomalyPushMessage } from '@/lib/detect/push-types';
import { SEVERITIES, type Severity } from '@/lib/detect/types';

const rank = (s: Severity) => SEVERITIES.indexOf(s);
const ENDED = new Set(['resolved', 'withdrawn']);

/** Type, severity and watch filters of the target. */
export function matchesTarget(target: WebhookTarget, msg: AnomalyPushMessage): boolean {
  const a = msg.anomaly;
  if (rank(a.severity) > rank(target.minSeverity)) return false;
  if (target.types.length > 0 && !target.types.includes(a.type)) return false;
  if (target.watchedOnly && !a.watched) return false;
  return true;
}

export type Decision = { send: true; reason: NotifyReason; next: NotifiedState } | { send: false; why: string };

export function decideNotification(target: WebhookTarget, msg: AnomalyPushMessage, last: NotifiedState | null): Decision {
  const a = msg.anomaly;
  const ended = msg.kind === 'resolved' || ENDED.has(a.status);
  if (ended) {
    // Only the end of something this target was told about; filters were checked back then (an
    // anomaly that dropped below min severity before ending still gets its all-clear).
    if (last === null) return { send: false, why: 'ended before it was ever notified' };
    if (last.resolved) return { send: false, why: 'end already notified' };
    return { send: true, reason: 'resolved', next: { severity: last.severity, resolved: true } };
  }
  if (!matchesTarget(target, msg)) return { send: false, why: 'does not match the target filters' };
  // An operator's acknowledged / ignored status silences further notifications.
  if (a.status === 'acknowledged' || a.status === 'ignored') return { send: false, why: `status ${a.status}` };
  if (last === null || last.resolved) return { send: true, reason: 'new', next: { severity: a.severity, resolved: false } };
  if (rank(a.severity) < rank(last.severity)) return { send: true, reason: 'escalated', next: { severity: a.severity, resolved: false } };
  return { send: false, why: 'evidence update without a severity increase' };
}

export function encodeNotified(s: NotifiedState): string {
  return `${s.severity}${s.resolved ? ':resolved' : ''}`;
}

export function decodeNotified(s: string | null): NotifiedState | null {
  if (s === null) return null;
  const [sev, flag] = s.split(':');
  if (!(SEVERITIES as readonly string[]).includes(sev ?? '')) return null;
  return { severity: sev as Severity, resolved: flag === 'resolved' };
}
