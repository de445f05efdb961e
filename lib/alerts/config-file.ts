// The I/O edge of the webhook config: ALERT_WEBHOOKS wins; otherwise the file (default
// config/webhooks.json) when it exists; otherwise no targets. A broken config throws
// WebhookConfigError (the worker logs it and sends nothing rather than guessing).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseWebhookConfig } from '@/lib/alerts/config';
import type { WebhookTarget } from '@/lib/alerts/types';

export function loadWebhookTargets(env: { ALERT_WEBHOOKS?: string | undefined; ALERT_WEBHOOKS_FILE: string }, cwd: string = process.cwd()): { targets: WebhookTarget[]; source: string | null } {
  if (env.ALERT_WEBHOOKS !== undefined && env.ALERT_WEBHOOKS.trim() !== '') {
    return { targets: parseWebhookConfig(env.ALERT_WEBHOOKS, 'ALERT_WEBHOOKS'), source: 'ALERT_WEBHOOKS' };
  }
  const file = path.resolve(cwd, env.ALERT_WEBHOOKS_FILE);
  if (!existsSync(file)) return { targets: [], source: null };
  return { targets: parseWebhookConfig(readFileSync(file, 'utf8'), file), source: file };
}
