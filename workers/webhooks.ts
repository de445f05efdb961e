// The worker's webhook service: the stream dispatcher (consumer group on bgp:anomalies) and the
// BullMQ worker that POSTs each delivery. Started by workers/index.ts; no targets configured =
// nothing started. A broken config is logged and nothing is sent (never a crash of the worker).
// A config file is re-read when it changes (polled): a good edit replaces the targets, a broken
// one is logged and the previous targets stay.

import { unwatchFile, watchFile } from 'node:fs';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadWebhookTargets } from '@/lib/alerts/config-file';
import { describeTarget } from '@/lib/alerts/config';
import type { WebhookTarget } from '@/lib/alerts/types';
import type { Env } from '@/lib/env';
import type { Logger } from '@/lib/log';
import { createRedisConnection } from '@/lib/queue/connection';
import { createWebhookQueue, deliverWebhook, startDispatcher, WEBHOOK_QUEUE, type Dispatcher, type RetryPolicy } from '@/lib/queue/webhooks';

export interface WebhookService {
  dispatcher: Dispatcher;
  /** The targets in force (after the latest good reload). */
  targets(): readonly WebhookTarget[];
  stop(): Promise<void>;
}

export interface WebhookServiceOptions {
  targets?: WebhookTarget[];
  /** Defaults: the real stream and queue; tests pass their own names. */
  streamKey?: string;
  queueName?: string;
  group?: string;
  consumer?: string;
  startId?: string;
  retry?: RetryPolicy;
  concurrency?: number;
  blockMs?: number;
  claimIdleMs?: number;
  /** Poll interval of the config file (hot reload). */
  reloadMs?: number;
}

export async function startWebhookService(env: Pick<Env, 'ALERT_WEBHOOKS' | 'ALERT_WEBHOOKS_FILE' | 'PUBLIC_URL'>, logger: Logger, opts: WebhookServiceOptions = {}): Promise<WebhookService | null> {
  const log = logger.child({ module: 'webhooks' });
  let targets: WebhookTarget[] = [];
  let watchedFile: string | null = null;
  if (opts.targets) targets = opts.targets;
  else {
    try {
      const loaded = loadWebhookTargets(env);
      targets = loaded.targets;
      if (loaded.source) log.info({ source: loaded.source, targets: targets.map(describeTarget) }, 'webhook targets loaded');
      if (loaded.source && loaded.source !== 'ALERT_WEBHOOKS') watchedFile = loaded.source;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'webhook config is invalid: no webhooks are sent until it is fixed');
      return null;
    }
  }
  // An empty file still starts the service: targets may be added to it later.
  if (targets.length === 0 && watchedFile === null) return null;
  if (watchedFile !== null) {
    const file = watchedFile;
    watchFile(file, { interval: opts.reloadMs ?? 5_000, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size) return;
      try {
        const next = loadWebhookTargets(env).targets;
        targets = next;
        log.info({ source: file, targets: next.map(describeTarget) }, 'webhook targets reloaded');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'webhook config edit is invalid: keeping the previous targets');
      }
    });
  }

  const connections: Redis[] = [];
  const conn = () => {
    const c = createRedisConnection({ maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const queueName = opts.queueName ?? WEBHOOK_QUEUE;
  const queue = createWebhookQueue(conn(), queueName);
  const stateRedis = conn();
  const worker = new Worker(queueName, (job) => deliverWebhook(job, { targets: () => targets, redis: stateRedis, publicUrl: env.PUBLIC_URL, log }), {
    connection: conn(),
    // Receivers are slow I/O, not CPU: several in flight keep one slow target from holding the rest.
    concurrency: opts.concurrency ?? 8,
  });
  worker.on('error', (err) => log.error({ err }, 'webhook worker error'));
  const dispatcher = startDispatcher({
    redis: conn(),
    queue,
    targets: () => targets,
    consumer: opts.consumer ?? `${hostname()}-webhooks`,
    log,
    ...(opts.streamKey ? { streamKey: opts.streamKey } : {}),
    ...(opts.group ? { group: opts.group } : {}),
    ...(opts.startId ? { startId: opts.startId } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.blockMs ? { blockMs: opts.blockMs } : {}),
    ...(opts.claimIdleMs ? { claimIdleMs: opts.claimIdleMs } : {}),
  });
  log.info({ targets: targets.length, queue: queueName }, 'webhook service started');
  return {
    dispatcher,
    targets: () => targets,
    async stop() {
      if (watchedFile !== null) unwatchFile(watchedFile);
      await dispatcher.stop();
      await worker.close();
      await queue.close();
      await Promise.allSettled(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
