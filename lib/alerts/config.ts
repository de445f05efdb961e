// Webhook targets, zod-validated: from ALERT_WEBHOOKS (JSON) or config/webhooks.json. Both hold an
// array of targets (or { "targets": [...] }). A bad config is an error naming the entry and field,
// never a silently dropped target.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WEBHOOK_FORMATS, type WebhookTarget } from '@/lib/alerts/types';
import { ANOMALY_TYPES, SEVERITIES } from '@/lib/detect/types';

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

const targetSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . -')
    .optional(),
  url: z
    .string()
    .url('must be an http(s) URL')
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  format: z.enum(WEBHOOK_FORMATS, { error: `must be one of ${WEBHOOK_FORMATS.join(', ')}` }).default('json'),
  min_severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).default('low'),
  types: z.array(z.enum(ANOMALY_TYPES, { error: `must list anomaly types (${ANOMALY_TYPES.join(', ')})` })).default([]),
  watched_only: z.boolean().default(false),
  secret: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
  timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
});

const fileSchema = z.union([z.array(targetSchema), z.strictObject({ targets: z.array(targetSchema) })]);

/** Default id: a short hash of the URL, so it stays stable across restarts and contains no ':'. */
export function targetIdFor(url: string): string {
  return `wh-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

/** Parses the JSON text of a webhook config; `source` names it in errors. */
export function parseWebhookConfig(text: string, source: string): WebhookTarget[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new WebhookConfigError(`${source}: not JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    // Report against the array form: the union's own message says only "invalid input".
    const list = Array.isArray(json) ? z.array(targetSchema).safeParse(json) : z.strictObject({ targets: z.array(targetSchema) }).safeParse(json);
    const issue = (list.success ? parsed.error : list.error).issues[0];
    const where = issue?.path.map(String).join('.') ?? '';
    throw new WebhookConfigError(`${source}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  const raw = Array.isArray(parsed.data) ? parsed.data : parsed.data.targets;
  const targets = raw.map(
    (t): WebhookTarget => ({
      id: t.id ?? targetIdFor(t.url),
      url: t.url,
      format: t.format,
      minSeverity: t.min_severity,
      types: [...new Set(t.types)],
      watchedOnly: t.watched_only,
      secret: t.secret ?? null,
      timeoutMs: t.timeout_ms,
    }),
  );
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.id)) throw new WebhookConfigError(`${source}: target id "${t.id}" appears twice (give each target its own id)`);
    seen.add(t.id);
  }
  return targets;
}

/** A target as it may be shown (API, logs): no secret, no URL credentials or query string. */
export function describeTarget(t: WebhookTarget): { id: string; url: string; format: string; minSeverity: string; types: string[]; watchedOnly: boolean; signed: boolean } {
  const u = new URL(t.url);
  return { id: t.id, url: `${u.protocol}//${u.host}${u.pathname}`, format: t.format, minSeverity: t.minSeverity, types: t.types, watchedOnly: t.watchedOnly, signed: t.secret !== null };
}
