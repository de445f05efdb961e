// Types of the alerting layer (webhooks): targets as configured, why a message is sent, and the
// delivery outcome the worker records.

import type { AnomalyType, Severity } from '@/lib/detect/types';

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookTarget {
  /** Stable id (config `id`, else derived from the URL); used in job ids and Redis keys, never contains ':'. */
  id: string;
  url: string;
  format: WebhookFormat;
  /** Least severe level sent (inclusive). */
  minSeverity: Severity;
  /** Only these types; empty = all. */
  types: AnomalyType[];
  /** Only anomalies matching the watch list. */
  watchedOnly: boolean;
  /** HMAC-SHA256 key of the signature header; null = unsigned. */
  secret: string | null;
  /** Per-attempt timeout of the POST. */
  timeoutMs: number;
}

/** Why a target is notified: first sight, severity went up, condition cleared. */
export type NotifyReason = 'new' | 'escalated' | 'resolved';

/** What the dispatcher remembers per (target, anomaly): the last notification it enqueued. */
export interface NotifiedState {
  severity: Severity;
  resolved: boolean;
}

export interface DeliveryStats {
  targetId: string;
  delivered: number;
  /** Deliveries given up (a 4xx, or retries exhausted). */
  failed: number;
  /** Attempts that failed and were retried. */
  retried: number;
  /** Messages the dispatcher skipped for this target (filters, plain evidence updates). */
  skipped: number;
  lastStatus: number | null;
  lastError: string | null;
  lastDeliveredAtMs: number | null;
  lastFailedAtMs: number | null;
}
