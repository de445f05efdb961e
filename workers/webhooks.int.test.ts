// Webhooks end to end on real Redis and a real HTTP receiver on 127.0.0.1: stream entries are
// written with XADD in the documented format (field `data` = AnomalyPushMessage JSON), the
// dispatcher (consumer group) enqueues one job per target, the worker POSTs. Stream, group and
// queue names are this file's own, so other files' entries in the shared Redis do not interfere.

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody, drillDownUrl } from '@/lib/alerts/format';
import { slackBodySchema } from '@/lib/alerts/slack-schema';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '@/lib/alerts/signature';
import { testPush } from '@/lib/alerts/test-messages';
import type { WebhookTarget } from '@/lib/alerts/types';
import type { AnomalyPushMessage } from '@/lib/detect/push-types';
import { requireRedisUrl, resetEnvForTests } from '@/lib/env';
import { webhooksResponseSchema } from '@/lib/api/anomalies-contract';
import { closeSharedRedis } from '@/lib/queue/connection';
import { GET as webhooksRoute } from '@/app/api/v1/bgp/anomalies/webhooks/route';
import { getLogger } from '@/lib/log';
import { ensureGroup, getDeliveryStats } from '@/lib/queue/webhooks';
import { publishAnomalyPushes } from '@/lib/queue/detect-stream';
import { startWebhookService, type WebhookService } from '@/workers/webhooks';
import { deleteKeys } from '@/test/helpers/redis';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

const SECRET = 'a-test-secret-of-32-characters!!';
const PUBLIC_URL = 'http://dashboard.test:3000';
const RUN = `${process.pid}`;
const received: Received[] = [];
const flakyFailures = new Map<string, number>();
let server: Server;
let base = '';
let redis: Redis;
let service: WebhookService | null = null;
let n = 0;

// /flaky/<key>: 503 twice per key, then 200. /reject: 400. Anything else: 200.
function handler(path: string): number {
  if (path.startsWith('/flaky/')) {
    const seen = flakyFailures.get(path) ?? 0;
    flakyFailures.set(path, seen + 1);
    return seen < 2 ? 503 : 200;
  }
  return path === '/reject' ? 400 : 200;
}

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(received.map((r) => [r.path, r.status]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function clearKeys(pattern: string): Promise<void> {
  return deleteKeys(redis, pattern);
}

function names() {
  n++;
  return { streamKey: `test:anomalies:${RUN}:${n}`, queueName: `webhooks-test-${RUN}-${n}`, group: 'webhooks' };
}

const xadd = (key: string, msg: AnomalyPushMessage | string) => redis.xadd(key, '*', 'data', typeof msg === 'string' ? msg : JSON.stringify(msg));

async function start(targets: WebhookTarget[], over: Parameters<typeof startWebhookService>[2] = {}) {
  const nm = names();
  service = await startWebhookService({ ALERT_WEBHOOKS_FILE: 'none.json', PUBLIC_URL }, getLogger(), {
    targets,
    ...nm,
    startId: '0',
    retry: { attempts: 5, backoffMs: 50 },
    blockMs: 200,
    ...over,
  });
  return { ...nm, ...over };
}

const target = (id: string, path: string, over: Partial<WebhookTarget> = {}): WebhookTarget => ({
  id: `${id}-${RUN}`,
  url: `${base}${path}`,
  format: 'json',
  minSeverity: 'low',
  types: [],
  watchedOnly: false,
  secret: null,
  timeoutMs: 2_000,
  ...over,
});

beforeAll(async () => {
  redis = new Redis(requireRedisUrl(), { maxRetriesPerRequest: 1 });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = handler(req.url ?? '/');
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await service?.stop();
  service = null;
});

afterAll(async () => {
  await clearKeys(`bull:webhooks-test-${RUN}-*`);
  await clearKeys(`test:anomalies:${RUN}:*`);
  await clearKeys(`webhooks:*:*-${RUN}*`);
  await redis.quit();
  await new Promise((r) => server.close(r));
});

describe('webhook delivery', () => {
  it('retries 503 twice, then delivers once with the right body and signature; Slack gets Block Kit; a 400 is not retried', async () => {
    const flaky = target('flaky', '/flaky/a', { secret: SECRET });
    const slack = target('slack', '/slack', { format: 'slack' });
    const reject = target('reject', '/reject');
    const { streamKey, queueName } = await start([flaky, slack, reject]);
    const msg = testPush('new', { id: '9001' });
    await xadd(streamKey, msg);

    const ok = await until('the flaky target to accept', () => received.find((r) => r.path === '/flaky/a' && r.status === 200));
    await until('the slack delivery', () => received.some((r) => r.path === '/slack'));
    const queue = new Queue(queueName, { connection: redis });
    const rejected = await until('the rejected job to fail', async () => {
      const jobs = await queue.getJobs(['failed']);
      return jobs.find((j) => j.data.targetId === reject.id);
    });
    await queue.close();

    const flakyHits = received.filter((r) => r.path === '/flaky/a');
    expect(flakyHits.map((r) => r.status)).toEqual([503, 503, 200]);
    const expectedBody = jsonBody(msg, 'new', drillDownUrl(PUBLIC_URL, '9001'));
    expect(JSON.parse(ok.body)).toEqual(expectedBody);
    expect(ok.headers['content-type']).toBe('application/json');
    expect(ok.headers['x-bgp-observatory-event']).toBe('new');
    const ts = Number(ok.headers[TIMESTAMP_HEADER]);
    expect(verifySignature(SECRET, ok.body, ts, String(ok.headers[SIGNATURE_HEADER]))).toBe(true);
    expect(verifySignature(SECRET, ok.body.replace('9001', '9002'), ts, String(ok.headers[SIGNATURE_HEADER]))).toBe(false);

    const slackHits = received.filter((r) => r.path === '/slack');
    expect(slackHits).toHaveLength(1);
    const slackJson = slackBodySchema.parse(JSON.parse(slackHits[0]!.body));
    expect(slackJson.text).toContain('New high origin change on 208.65.152.0/22');
    expect(JSON.stringify(slackJson.blocks)).toContain(`<${PUBLIC_URL}/anomalies/9001|details>`);
    expect(slackHits[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();

    expect(rejected.attemptsMade).toBe(1);
    expect(rejected.failedReason).toMatch(/HTTP 400 \(not retried/);
    expect(received.filter((r) => r.path === '/reject')).toHaveLength(1);

    const [fs, ss, rs] = await getDeliveryStats(redis, [flaky.id, slack.id, reject.id]);
    expect(fs).toMatchObject({ delivered: 1, retried: 2, failed: 0, lastStatus: 200, lastError: 'HTTP 503 (will retry)' });
    expect(ss).toMatchObject({ delivered: 1, retried: 0, failed: 0, lastStatus: 200 });
    expect(rs).toMatchObject({ delivered: 0, retried: 0, failed: 1, lastStatus: 400 });
    expect(service!.dispatcher.stats).toMatchObject({ entries: 1, enqueued: 3, invalid: 0 });

    // The status API shows the same counters for the configured targets, never the secret.
    process.env.ALERT_WEBHOOKS = JSON.stringify([{ id: flaky.id, url: `${flaky.url}?token=abc`, secret: SECRET }, { id: reject.id, url: reject.url }]);
    resetEnvForTests();
    try {
      const res = await webhooksRoute();
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('token=abc');
      const body = webhooksResponseSchema.parse(JSON.parse(text));
      expect(body.config_error).toBeNull();
      expect(body.data.map((d) => [d.id, d.delivered, d.retried, d.failed, d.last_status, d.signed])).toEqual([
        [flaky.id, 1, 2, 0, 200, true],
        [reject.id, 0, 0, 1, 400, false],
      ]);
      process.env.ALERT_WEBHOOKS = '[{"url":"ftp://nope"}]';
      resetEnvForTests();
      const broken = webhooksResponseSchema.parse(await (await webhooksRoute()).json());
      expect(broken.config_error).toMatch(/^ALERT_WEBHOOKS: 0\.url: must be an http\(s\) URL/);
    } finally {
      delete process.env.ALERT_WEBHOOKS;
      resetEnvForTests();
      await closeSharedRedis();
    }
  });

  it('re-notifies on severity increase and resolution, not on plain evidence updates; skips bad entries', async () => {
    const t = target('renotify', '/renotify', { minSeverity: 'high' });
    const { streamKey, group } = await start([t]);
    const hits = () => received.filter((r) => r.path === '/renotify').map((r) => JSON.parse(r.body) as { kind: string; notification: { reason: string }; anomaly: { severity: string } });
    await xadd(streamKey, testPush('new', { id: '77', severity: 'medium' })); // below the filter
    await xadd(streamKey, testPush('updated', { id: '77', severity: 'high' })); // now it matches: "new" for this target
    await xadd(streamKey, testPush('updated', { id: '77', severity: 'high', peakPeers: 90 })); // evidence only
    await xadd(streamKey, 'not json');
    await xadd(streamKey, testPush('updated', { id: '77', severity: 'critical' })); // escalation
    await xadd(streamKey, testPush('resolved', { id: '77', severity: 'critical', status: 'resolved', endedAt: '2008-02-24T20:07:00.000000Z' }));
    await until('the resolution', () => hits().some((h) => h.notification.reason === 'resolved'));
    await until('all entries handled', () => service!.dispatcher.stats.entries === 6);
    expect(hits().map((h) => [h.kind, h.notification.reason, h.anomaly.severity])).toEqual([
      ['updated', 'new', 'high'],
      ['updated', 'escalated', 'critical'],
      ['resolved', 'resolved', 'critical'],
    ]);
    expect(service!.dispatcher.stats).toMatchObject({ entries: 6, invalid: 1, enqueued: 3, skipped: 2 });
    // Everything acknowledged, the broken entry included.
    await until('no pending entries', async () => ((await redis.xpending(streamKey, group)) as [number])[0] === 0);
  });

  it('after a restart, re-reads its own pending entries and claims a dead consumer’s', async () => {
    const t = target('restart', '/restart');
    const nm = names();
    await ensureGroup(redis, nm.streamKey, nm.group, '0');
    await xadd(nm.streamKey, testPush('new', { id: '501' }));
    await xadd(nm.streamKey, testPush('new', { id: '502' }));
    // Consumer "me" read the first entry and died before acknowledging; "dead" read the second.
    await redis.xreadgroup('GROUP', nm.group, 'me', 'COUNT', 1, 'STREAMS', nm.streamKey, '>');
    await redis.xreadgroup('GROUP', nm.group, 'dead', 'COUNT', 1, 'STREAMS', nm.streamKey, '>');
    expect(((await redis.xpending(nm.streamKey, nm.group)) as [number])[0]).toBe(2);
    await new Promise((r) => setTimeout(r, 150));

    n--; // start() takes the next names: reuse these
    await start([t], { consumer: 'me', claimIdleMs: 100 });
    await until('both deliveries', () => received.filter((r) => r.path === '/restart').length === 2);
    const ids = received.filter((r) => r.path === '/restart').map((r) => (JSON.parse(r.body) as { anomaly: { id: string } }).anomaly.id);
    expect(ids.sort()).toEqual(['501', '502']);
    expect(service!.dispatcher.stats.claimed).toBe(1);
    await until('no pending entries', async () => ((await redis.xpending(nm.streamKey, nm.group)) as [number])[0] === 0);
  });

  it('takes entries written by the detection side’s publisher (publishAnomalyPushes, MAXLEN ~)', async () => {
    const t = target('publisher', '/publisher');
    const { streamKey } = await start([t]);
    await publishAnomalyPushes(redis, [testPush('new', { id: '601' }), testPush('new', { id: '602', type: 'more_specific' })], streamKey);
    await until('both deliveries', () => received.filter((r) => r.path === '/publisher').length === 2);
    const ids = received.filter((r) => r.path === '/publisher').map((r) => (JSON.parse(r.body) as { anomaly: { id: string } }).anomaly.id);
    expect(ids.sort()).toEqual(['601', '602']);
    expect(service!.dispatcher.stats.invalid).toBe(0);
  });

  it('re-reads the config file when it changes; a broken edit keeps the previous targets', async () => {
    const dir = path.resolve('.data', 'test', `webhooks-config-${RUN}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'webhooks.json');
    const write = (targets: unknown) => writeFileSync(file, typeof targets === 'string' ? targets : JSON.stringify(targets));
    write([{ id: `fileA-${RUN}`, url: `${base}/fileA` }]);
    const nm = names();
    service = await startWebhookService({ ALERT_WEBHOOKS_FILE: file, PUBLIC_URL }, getLogger(), { ...nm, startId: '0', blockMs: 200, reloadMs: 50, retry: { attempts: 2, backoffMs: 50 } });
    expect(service!.targets().map((t) => t.id)).toEqual([`fileA-${RUN}`]);
    await xadd(nm.streamKey, testPush('new', { id: '701' }));
    await until('delivery to A', () => received.some((r) => r.path === '/fileA'));

    write([{ id: `fileB-${RUN}`, url: `${base}/fileB`, min_severity: 'critical' }]);
    await until('the reload', () => service!.targets()[0]?.id === `fileB-${RUN}`);
    write('[{"url": ');
    await new Promise((r) => setTimeout(r, 300)); // several polls of the broken file
    expect(service!.targets().map((t) => t.id)).toEqual([`fileB-${RUN}`]);
    await xadd(nm.streamKey, testPush('new', { id: '702', severity: 'critical' }));
    await until('delivery to B', () => received.some((r) => r.path === '/fileB'));
    expect(received.filter((r) => r.path === '/fileA')).toHaveLength(1);
  });
});
