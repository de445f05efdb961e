// End to end in Debian Chromium: the production build of the dashboard, a replay feed, and the
// real collector writing to PostgreSQL and publishing through Redis. The page is opened before
// the feed plays; a replayed routing update must then appear in the table without a reload.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsPageSchema } from '@/lib/api/contracts';
import type { Collector } from '@/lib/ingest/collector';
import { startCollector } from '@/lib/ingest/collector';
import { startReplayServer, type ReplayServer } from '@/lib/replay/server';
import { chromiumSkipNote, hasChromium, launchChromium, shotDir, startApp, type RunningApp } from './helpers/app';

// A prefix from the shared address space that no other test uses, different on every run.
const octet = (n: number) => Math.floor(Math.random() * n);
const WATCHED_PREFIX = `100.${64 + octet(64)}.${octet(256)}.0/24`;
const WITHDRAWN_PREFIX = '2001:db8:e2e::/48';

/** RIS Live frames in the 2026 wire shape, timed "now" so they land in the hot window. */
function replayLines(nowS: number): string[] {
  const update = (i: number, data: Record<string, unknown>) =>
    JSON.stringify({
      type: 'ris_message',
      data: {
        timestamp: Number((nowS + i * 0.01).toFixed(3)),
        peer: '192.0.2.10',
        peer_asn: '64496',
        id: `192.0.2.10-e2e${String(i).padStart(12, '0')}`,
        host: 'rrc00.ripe.net',
        type: 'UPDATE',
        ...data,
      },
    });
  return [
    update(0, { path: [64496, 3356, 64511], community: [[64496, 100]], origin: 'IGP', announcements: [{ next_hop: '192.0.2.10', prefixes: [WATCHED_PREFIX] }], withdrawals: [] }),
    update(1, { path: [64496, 174, [64512, 64513]], community: [], origin: 'INCOMPLETE', announcements: [{ next_hop: '192.0.2.10', prefixes: ['198.18.0.0/15'] }], withdrawals: [] }),
    update(2, { path: [], community: [], announcements: [], withdrawals: ['2001:db8:e2e:0:0:0:0:0/48'] }),
  ];
}

describe.skipIf(!hasChromium)(`dashboard in Chromium${chromiumSkipNote}`, () => {
  let web: RunningApp | null = null;
  let baseUrl = '';
  let browser: Browser | null = null;
  let page: Page | null = null;
  let replay: ReplayServer | null = null;
  let collector: Collector | null = null;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    web = await startApp();
    baseUrl = web.baseUrl;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await collector?.stop({ deadlineMs: 5000 }).catch(() => undefined);
    await replay?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await web?.process.stop({ timeoutMs: 5000 });
  });

  it('shows a replayed update without a reload, labelled as simulated data', async () => {
    const p = page!;
    await p.goto(baseUrl, { waitUntil: 'domcontentloaded' });
    await p.getByTestId('updates-table').waitFor({ timeout: 30_000 });
    // The push connection must be open before the feed plays, or the update could only come from a reload.
    await p.getByTestId('stream-status').filter({ hasText: 'push: live' }).waitFor({ timeout: 30_000 });
    await p.evaluate(() => {
      (window as unknown as { __sameDocument: string }).__sameDocument = 'yes';
    });
    expect(await p.locator(`tr[data-prefix="${WATCHED_PREFIX}"]`).count()).toBe(0);

    replay = await startReplayServer({ source: { lines: replayLines(Date.now() / 1000) }, speed: 'max' });
    collector = await startCollector({ url: replay.url, label: 'simulated', subscriptions: [{ type: 'UPDATE' }], flushMs: 50, stateIntervalMs: 250 });

    const row = p.locator(`tr[data-prefix="${WATCHED_PREFIX}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.innerText(), { timeout: 5000 }).toMatch(/rrc00\s+64496\s+A\s*announcement\s+100\.\d+\.\d+\.0\/24\s+64511\s+64496 3356 64511/);
    await p.locator(`tr[data-prefix="${WITHDRAWN_PREFIX}"]`).waitFor({ timeout: 10_000 });
    expect(await p.locator('tr[data-prefix="198.18.0.0/15"]').innerText()).toContain('64496 174 {64512 64513}');
    expect(await p.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument)).toBe('yes');

    const badge = p.getByTestId('simulated-badge');
    await badge.waitFor({ timeout: 10_000 });
    expect(await badge.innerText()).toBe('SIMULATED DATA');
    await expect.poll(async () => Number((await p.getByTestId('events-total').innerText()).replace(/,/g, '')), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(await p.getByTestId('feed-connection').innerText()).toContain('connected');

    // The globe is optional decoration, but when it loads it must show the collector that sent the updates.
    expect(await p.getByTestId('collector-list').innerText()).toMatch(/rrc00\s+Amsterdam\s+3/);
    await p.locator('canvas').first().waitFor({ timeout: 20_000 });
    await p.waitForTimeout(1500); // let the globe texture paint before the screenshot

    mkdirSync(shotDir, { recursive: true });
    await p.screenshot({ path: path.join(shotDir, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('serves the same update through the built API', async () => {
    const res = await fetch(`${baseUrl}/api/v1/bgp/events?prefix=${encodeURIComponent(WATCHED_PREFIX)}`);
    expect(res.status).toBe(200);
    const page1 = eventsPageSchema.parse(await res.json());
    expect(page1.data).toHaveLength(1);
    expect(page1.data[0]).toMatchObject({ collector: 'rrc00', peer_asn: 64496, origin_asn: 64511, as_path: [64496, 3356, 64511], event_type: 'announcement' });
    const bad = await fetch(`${baseUrl}/api/v1/bgp/events?prefix=${encodeURIComponent('100.64.1.1/24')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^prefix: /);
  });
});
