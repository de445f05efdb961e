// Webhook bodies (pure): the generic JSON body (the push message plus why it was sent and a link
// to the drill-down) and a Slack-compatible body (`text` fallback + Block Kit `blocks`).

import type { NotifyReason, WebhookFormat } from '@/lib/alerts/types';
import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import type { AnomalyPushMessage } from '@/lib/detect/push-types';
import type { Severity } from '@/lib/detect/types';

export function drillDownUrl(baseUrl: string, anomalyId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/anomalies/${encodeURIComponent(anomalyId)}`;
}

export interface JsonWebhookBody extends AnomalyPushMessage {
  notification: { reason: NotifyReason; link: string };
}

export function jsonBody(msg: AnomalyPushMessage, reason: NotifyReason, link: string): JsonWebhookBody {
  return { kind: msg.kind, anomaly: msg.anomaly, publishedAtMs: msg.publishedAtMs, notification: { reason, link } };
}

const SEVERITY_ICON: Record<Severity, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':white_circle:' };
const REASON_TEXT: Record<NotifyReason, string> = { new: 'New', escalated: 'Escalated', resolved: 'Resolved' };

// Slack mrkdwn treats &, <, > as control characters.
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const asList = (asns: number[]) => (asns.length ? asns.map((a) => `AS${a}`).join(', ') : '—');

export interface SlackBody {
  text: string;
  blocks: Array<
    | { type: 'header'; text: { type: 'plain_text'; text: string } }
    | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
    | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  >;
}

export function slackBody(msg: AnomalyPushMessage, reason: NotifyReason, link: string): SlackBody {
  const a: AnomalyDto = msg.anomaly;
  const type = a.type.replace(/_/g, ' ');
  const title = `${REASON_TEXT[reason]} ${a.severity} ${type}${a.prefix ? ` on ${a.prefix}` : ''}`;
  const observed = a.originAsn === null ? '—' : `AS${a.originAsn}`;
  return {
    // The fallback shown in notifications and by clients without blocks.
    text: clip(`${title}: ${a.summary}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(`${title}`, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(`${SEVERITY_ICON[a.severity]} ${esc(a.summary)}`, 3000) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Severity*\n${a.severity} (confidence ${a.confidence.toFixed(2)})` },
          { type: 'mrkdwn', text: `*Type*\n${type}` },
          { type: 'mrkdwn', text: `*Prefix*\n${a.prefix ? esc(a.prefix) : '—'}` },
          { type: 'mrkdwn', text: `*Status*\n${a.status}` },
          { type: 'mrkdwn', text: `*Expected origin*\n${asList(a.baselineOrigins)}` },
          { type: 'mrkdwn', text: `*Observed origin*\n${observed}` },
        ],
      },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: clip(`Started ${a.startedAt} (BGP time) · seen by ${a.peakPeers} peers on ${a.evidence.collectors.length} collectors · <${link}|details>`, 3000) },
        ],
      },
    ],
  };
}

export function webhookBody(format: WebhookFormat, msg: AnomalyPushMessage, reason: NotifyReason, link: string): JsonWebhookBody | SlackBody {
  return format === 'slack' ? slackBody(msg, reason, link) : jsonBody(msg, reason, link);
}

/** How the delivery job treats an HTTP answer: done, try again later, or give up. */
export function classifyStatus(status: number): 'ok' | 'retry' | 'fatal' {
  if (status >= 200 && status < 300) return 'ok';
  // 408 Request Timeout and 429 Too Many Requests are transient by definition.
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'fatal';
}
