// Anomalies in Debian Chromium against the production build: rows written to PostgreSQL with
// upsertAnomalies show in /anomalies, the filters narrow the list (through the API), a click opens
// the drill-down with its evidence, and the dashboard's panel and header link to them.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { getAnomaly, listAnomalies, upsertAnomalies } from '@/lib/db/anomalies';
import { Redis } from 'ioredis';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { ANOMALY_STREAM_KEY, type AnomalyPushMessage } from '@/lib/detect/push-types';
import { requireRedisUrl } from '@/lib/env';
import type { Anomaly } from '@/lib/detect/types';
import { chromiumSkipNote, hasChromium, launchChromium, shotDir, startApp, type RunningApp } from './helpers/app';


const TAG = `e2e${process.pid}`;
// Event time far ahead of other tests' rows (so they are first in the newest-first list).
const T = Date.UTC(2032, 0, 10, 8) * 1000;
const MIN = 60e6;

function anomaly(i: number, over: Partial<Anomaly>): Anomaly {
  return {
    type: 'origin_change',
    entityKey: `${TAG}|${i}`,
    prefix: '192.0.2.0/24',
    baselineOrigins: [64500],
    originAsn: 64666,
    startedAtUs: T + i * MIN,
    confidence: 0.75,
    severity: 'high',
    summary: `${TAG} anomaly ${i}`,
    evidence: { peers: [], collectors: [], samples: [], details: {} },
    watched: false,
    dedupKey: `${TAG}|${i}`,
    status: 'ongoing',
    endedAtUs: null,
    lastSeenUs: T + i * MIN,
    peakPeers: 1,
    ...over,
  };
}

const HIJACK = anomaly(3, {
  severity: 'critical',
  summary: `${TAG} 198.51.100.0/24 announced by AS64666 instead of AS64500`,
  prefix: '198.51.100.0/24',
  watched: true,
  peakPeers: 3,
  lastSeenUs: T + 3 * MIN + 95e6,
  evidence: {
    peers: ['rrc00 192.0.2.1 AS3356', 'rrc01 192.0.2.2 AS174', 'rrc21 192.0.2.3 AS6939'],
    collectors: ['rrc00', 'rrc01', 'rrc21'],
    samples: [
      { collector: 'rrc00', peerIp: '192.0.2.1', peerAsn: 3356, atUs: T + 3 * MIN + 1_000, asPath: [3356, 3491, 64666] },
      { collector: 'rrc21', peerIp: '192.0.2.3', peerAsn: 6939, atUs: T + 3 * MIN + 40e6, asPath: [6939, 64666] },
    ],
    details: { peers: 3, baselineShare: 0.98 },
  },
});
const ROWS = [
  HIJACK,
  anomaly(2, { type: 'visibility_drop', prefix: '2001:db8:e2e::/48', severity: 'medium', baselineOrigins: [], originAsn: 64777, status: 'resolved', endedAtUs: T + 2 * MIN + 30e6 }),
  anomaly(1, { type: 'path_deviation', prefix: '203.0.113.0/24', severity: 'low', baselineOrigins: [], originAsn: 64888 }),
];

describe.skipIf(!hasChromium)(`anomalies in Chromium${chromiumSkipNote}`, () => {
  let web: RunningApp | null = null;
  let baseUrl = '';
  let browser: Browser | null = null;
  let page: Page | null = null;
  const pageErrors: string[] = [];
  const rows = () => page!.locator(`[data-testid="anomaly-row"]:has-text("${TAG}")`);

  beforeAll(async () => {
    await getPgPool().query('DELETE FROM bgp_anomalies WHERE dedup_key LIKE $1', [`${TAG}|%`]);
    expect(await upsertAnomalies(ROWS)).toBe(ROWS.length);
    web = await startApp();
    baseUrl = web.baseUrl;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await web?.process.stop({ timeoutMs: 5000 });
    await getPgPool().query('DELETE FROM bgp_anomalies WHERE dedup_key LIKE $1', [`${TAG}|%`]).catch(() => undefined);
    await closeDb();
  });

  it('lists the stored anomalies, narrows them with the filters, and opens the drill-down with its evidence', async () => {
    const p = page!;
    await p.goto(`${baseUrl}/anomalies`, { waitUntil: 'domcontentloaded' });
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(3);
    expect(await rows().first().innerText()).toContain('198.51.100.0/24');

    // Severity: critical + medium.
    await p.getByTestId('filter-severity').getByLabel('critical').check();
    await p.getByTestId('filter-severity').getByLabel('medium').check();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    // + type visibility drop → one.
    await p.getByTestId('filter-type').getByLabel('visibility drop').check();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    expect(await rows().first().getAttribute('data-prefix')).toBe('2001:db8:e2e::/48');
    await p.getByRole('button', { name: 'clear filters' }).click();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(3);

    // Status, prefix (with more specifics) and origin ASN go to the API the same way.
    await p.getByTestId('filter-status').getByLabel('ongoing').check();
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(2);
    await p.locator('input[name="prefix"]').fill('198.51.0.0/16');
    await p.locator('select[name="prefix_match"]').selectOption('more_specific');
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    await p.locator('input[name="origin_asn"]').fill('64501');
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(0);
    await p.locator('input[name="origin_asn"]').fill('64500');
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);
    // A bad value is refused by the API with its reason.
    await p.locator('input[name="prefix"]').fill('198.51.0.1/16');
    await expect.poll(() => p.getByTestId('anomaly-error').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^prefix: must be a CIDR prefix/);
    await p.locator('input[name="prefix"]').fill('198.51.100.0/24');
    await expect.poll(() => rows().count(), { timeout: 10_000 }).toBe(1);

    await rows().first().getByRole('link').click();
    await p.waitForURL(/\/anomalies\/\d+$/, { timeout: 10_000 });
    const detail = p.getByTestId('anomaly-detail');
    await detail.waitFor({ timeout: 15_000 });
    expect(await p.getByTestId('anomaly-summary-text').innerText()).toBe(HIJACK.summary);
    expect(await p.getByTestId('anomaly-status').innerText()).toBe('ongoing');
    expect(await p.getByTestId('anomaly-origins').innerText()).toMatch(/expected \(baseline\)\s+AS64500[\s\S]*observed\s+AS64666/);
    expect(await p.getByTestId('anomaly-timeline').innerText()).toMatch(/started\s+2032-01-10 08:03:00\.000[\s\S]*last seen\s+2032-01-10 08:04:35\.000 \(\+95 s\)[\s\S]*ended\s+ongoing/);
    const visibility = await p.getByTestId('anomaly-visibility').innerText();
    expect(visibility).toMatch(/3 peers \(peak 3\) on 3 collectors/i);
    expect(visibility).toContain('rrc21 192.0.2.3 AS6939');
    const samples = p.getByTestId('anomaly-sample');
    expect(await samples.count()).toBe(2);
    expect(await samples.nth(0).innerText()).toMatch(/2032-01-10 08:03:00\.001\s+rrc00\s+192\.0\.2\.1 AS3356\s+3356 3491 64666/);
    expect(await p.getByTestId('anomaly-details').innerText()).toMatch(/baselineShare\s+0\.98/);
    mkdirSync(shotDir, { recursive: true });
    await p.screenshot({ path: path.join(shotDir, 'anomaly-detail.png'), fullPage: true });

    const missing = await p.goto(`${baseUrl}/anomalies/999999999999`, { waitUntil: 'domcontentloaded' });
    expect(missing?.status()).toBe(200);
    await p.getByTestId('anomaly-not-found').waitFor({ timeout: 10_000 });
    expect(pageErrors).toEqual([]);
  });

  it('shows the watched critical anomaly first in the dashboard panel, linked from the header', async () => {
    const p = page!;
    await p.goto(baseUrl, { waitUntil: 'domcontentloaded' });
    const panel = p.getByTestId('anomalies-panel');
    await panel.waitFor({ timeout: 30_000 });
    const first = panel.getByTestId('anomaly-row').first();
    await expect.poll(() => first.innerText().catch(() => ''), { timeout: 15_000 }).toContain(HIJACK.summary);
    expect(await first.innerText()).toContain('watched');
    await expect.poll(() => p.getByTestId('anomaly-summary').innerText(), { timeout: 15_000 }).toMatch(/\d+ in 24 h/);
    expect(await p.locator('main > header a[href="/anomalies"]').count()).toBe(1);
    expect(await p.locator('main > header a[href="/backfills"]').count()).toBe(1);
    await p.screenshot({ path: path.join(shotDir, 'dashboard-anomalies.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('takes live changes from the push stream without a reload', async () => {
    const p = page!;
    await p.goto(`${baseUrl}/anomalies`, { waitUntil: 'domcontentloaded' });
    await expect.poll(() => rows().count(), { timeout: 30_000 }).toBe(3);
    await p.getByTestId('anomaly-live-status').filter({ hasText: 'push: live' }).waitFor({ timeout: 30_000 });
    await p.evaluate(() => {
      (window as unknown as { __sameDocument: string }).__sameDocument = 'yes';
    });
    const redis = new Redis(requireRedisUrl(), { maxRetriesPerRequest: 1 });
    // Entries in the documented format: field `data` = AnomalyPushMessage JSON.
    const push = (msg: AnomalyPushMessage) => redis.xadd(ANOMALY_STREAM_KEY, '*', 'data', JSON.stringify(msg));
    try {
      // An update of a listed row is applied in place (the database still says "low": only the push can show "critical").
      const low = (await listAnomalies({ limit: 10, severity: ['low'], timeFromUs: T, timeToUs: T + 10 * MIN })).data.find((a) => a.dedupKey === `${TAG}|1`)!;
      const dto = toAnomalyDto(low);
      await push({ kind: 'updated', anomaly: { ...dto, severity: 'critical', updatedAt: '2099-01-01T00:00:00.000000Z' }, publishedAtMs: Date.now() });
      const row = p.locator(`[data-testid="anomaly-row"][data-anomaly-id="${low.id}"]`);
      await expect.poll(() => row.innerText(), { timeout: 15_000 }).toMatch(/^critical/i);

      // A new anomaly (written, then announced) appears at the top.
      const fresh = anomaly(9, { summary: `${TAG} fresh more-specific`, type: 'more_specific', prefix: '198.51.100.128/25' });
      await upsertAnomalies([fresh]);
      const stored = (await listAnomalies({ limit: 1, timeFromUs: T + 9 * MIN, timeToUs: T + 9 * MIN + 1 })).data[0]!;
      expect((await getAnomaly(stored.id))?.summary).toBe(fresh.summary);
      await push({ kind: 'new', anomaly: toAnomalyDto(stored), publishedAtMs: Date.now() });
      await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(4);
      expect(await rows().first().innerText()).toContain(fresh.summary);
      expect(await p.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument)).toBe('yes');
    } finally {
      await redis.quit();
    }
    expect(pageErrors).toEqual([]);
  });

  it('falls back to polling the list when the push endpoint is missing', async () => {
    const p = await browser!.newPage({ viewport: { width: 1440, height: 1000 } });
    try {
      // As on a server without the stream endpoint: it answers 404 with the error envelope.
      await p.route('**/api/v1/bgp/anomalies/stream', (route) =>
        route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'no such endpoint' } }) }),
      );
      await p.goto(`${baseUrl}/anomalies`, { waitUntil: 'domcontentloaded' });
      const tagged = p.locator(`[data-testid="anomaly-row"]:has-text("${TAG}")`);
      await expect.poll(() => tagged.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
      const before = await tagged.count();
      await p.getByTestId('anomaly-live-status').filter({ hasText: 'polling' }).waitFor({ timeout: 15_000 });
      // Written to the database only, never announced on the stream: only polling can show it.
      await upsertAnomalies([anomaly(20, { summary: `${TAG} polled`, prefix: '198.51.100.64/26', type: 'more_specific' })]);
      await expect.poll(() => tagged.count(), { timeout: 20_000 }).toBe(before + 1);
      expect(await tagged.first().innerText()).toContain(`${TAG} polled`);
    } finally {
      await p.close();
    }
  });
});
