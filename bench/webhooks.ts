// Webhook fan-out benchmark (`npx tsx bench/webhooks.ts [--messages 2000] [--targets 2]
// [--concurrency 8]`): a private Redis, a receiver on 127.0.0.1 that answers 200 at once, the
// webhook service (consumer-group dispatcher + BullMQ delivery worker) in this process. All
// messages are XADDed up front (a burst, the worst case for the queue); reported: deliveries/s
// from the first XADD to the last arrival, and per delivery the latency XADD → receiver.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { testPush } from '@/lib/alerts/test-messages';
import type { WebhookTarget } from '@/lib/alerts/types';
import { startEmbeddedRedis } from '@/lib/infra/embedded-redis';
import { resetEnvForTests } from '@/lib/env';

const args = z
  .object({ messages: z.coerce.number().int().min(1).default(2000), targets: z.coerce.number().int().min(1).max(20).default(2), concurrency: z.coerce.number().int().min(1).default(8) })
  .strict()
  .parse(Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((s) => s.trim().split(/[\s=]+/))));

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const redisServer = await startEmbeddedRedis({ dir: path.resolve(import.meta.dirname, '..', '.data', 'bench', 'webhooks-redis') });
  process.env.REDIS_URL = redisServer.url;
  process.env.LOG_LEVEL = 'warn';
  resetEnvForTests();
  const { Redis } = await import('ioredis');
  const { getLogger } = await import('@/lib/log');
  const { startWebhookService } = await import('@/workers/webhooks');

  const expected = args.messages * args.targets;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { anomaly?: { id: string }; text?: string };
      const id = body.anomaly?.id ?? /anomalies\/(\d+)\|/.exec(JSON.stringify(body))?.[1] ?? '';
      latencies.push(performance.now() - (sentAt.get(id) ?? NaN));
      res.writeHead(200).end();
      if (latencies.length === expected) done();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const targets: WebhookTarget[] = Array.from({ length: args.targets }, (_, i) => ({
    id: `bench-${i}`, url: `${base}/t${i}`, format: i % 2 === 0 ? 'json' : 'slack', minSeverity: 'low', types: [], watchedOnly: false, secret: i % 2 === 0 ? 'bench-secret-0123456789' : null, timeoutMs: 10_000,
  }));
  const streamKey = `bench:anomalies:${Date.now()}`;
  const service = (await startWebhookService({ ALERT_WEBHOOKS_FILE: 'none', PUBLIC_URL: 'http://bench' }, getLogger(), {
    targets, streamKey, queueName: `webhooks-bench-${Date.now()}`, startId: '0', concurrency: args.concurrency, blockMs: 100,
  }))!;
  const redis = new Redis(redisServer.url);
  const t0 = performance.now();
  const pipe = redis.pipeline();
  for (let i = 0; i < args.messages; i++) {
    const id = String(i + 1);
    sentAt.set(id, performance.now());
    pipe.xadd(streamKey, '*', 'data', JSON.stringify(testPush('new', { id })));
  }
  await pipe.exec();
  let dispatchedAt = 0;
  const poll = setInterval(() => {
    if (!dispatchedAt && service.dispatcher.stats.entries === args.messages) dispatchedAt = performance.now();
  }, 20);
  await finished;
  clearInterval(poll);
  const wall = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({
    messages: args.messages, targets: args.targets, concurrency: args.concurrency, deliveries: expected,
    seconds: Number(wall.toFixed(2)), dispatchSeconds: dispatchedAt ? Number(((dispatchedAt - t0) / 1000).toFixed(2)) : null, deliveriesPerSecond: Math.round(expected / wall),
    latencyMs: { p50: Math.round(pct(latencies, 50)), p95: Math.round(pct(latencies, 95)), p99: Math.round(pct(latencies, 99)), max: Math.round(latencies[latencies.length - 1]!) },
    dispatcher: service.dispatcher.stats,
  }));
  await service.stop();
  await redis.quit();
  server.close();
  await redisServer.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
