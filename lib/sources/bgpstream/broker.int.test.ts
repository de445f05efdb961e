// The broker client and the downloader against a broker stand-in on 127.0.0.1 that speaks the
// v2 data API with its paging cap and serves real MRT files from ../shared/fixtures/mrt.

import { existsSync, readFileSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDumpFiles } from '@/lib/sources/bgpstream/broker';
import { startBrokerTestServer, type BrokerTestServer, type CatalogFile } from '@/lib/sources/bgpstream/broker-test-server';
import { cachePathFor, downloadToCache } from '@/lib/sources/bgpstream/download';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures/mrt');
const SAMPLE = path.join(fixtures, 'bgpkit-parser/ripe/rrc15/2010.02/updates.20100227.1600.gz');
const SMALL = path.join(fixtures, 'libbgpstream/ris.rrc06.updates.1427846400.gz');
const haveFixtures = existsSync(SAMPLE) && existsSync(SMALL);
const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const T0 = 1_427_846_400;

// Two collectors, five-minute update files over two hours, plus one RIB.
const catalog: CatalogFile[] = [];
for (const collector of ['rrc06', 'rrc15']) {
  for (let i = 0; i < 24; i++) {
    const t = T0 + i * 300;
    catalog.push({ name: `${collector}-updates-${t}.gz`, path: i % 2 ? SMALL : SAMPLE, project: 'ris', collector, type: 'updates', initialTime: t, duration: 300 });
  }
  catalog.push({ name: `${collector}-bview-${T0}.gz`, path: SMALL, project: 'ris', collector, type: 'ribs', initialTime: T0, duration: 0 });
}

let broker: BrokerTestServer;
let cacheDir: string;

beforeAll(async () => {
  if (!haveFixtures) return;
  broker = await startBrokerTestServer({ catalog, capSeconds: 1800 });
  cacheDir = mkdtempSync(path.join(tmpdir(), 'mrt-cache-'));
});

afterAll(async () => {
  await broker?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

describe.skipIf(!haveFixtures)('BGPStream broker client', () => {
  it('pages past the silent cap until the interval is covered, without duplicates', async () => {
    broker.dataRequests.length = 0;
    const from = T0 + 600;
    const to = T0 + 2 * 3600 - 1;
    const { files, pages } = await listDumpFiles(
      { from, to, projects: ['ris'], collectors: ['rrc06', 'rrc15'], types: ['updates'] },
      { baseUrl: broker.brokerUrl, retry: FAST_RETRY },
    );
    // 22 files per collector start in the window; the one before it ends exactly at `from` and overlaps.
    const expected = catalog.filter((f) => f.type === 'updates' && f.initialTime + f.duration >= from && f.initialTime <= to);
    expect(files.map((f) => f.location).sort()).toEqual(expected.map((f) => broker.fileUrl(f.name)).sort());
    expect(new Set(files.map((f) => f.location)).size).toBe(files.length);
    expect(pages).toBeGreaterThanOrEqual(4); // one answer covers < 30 min here
    expect(pages).toBe(broker.dataRequests.length);
    expect(broker.dataRequests[0]).toContain('intervals[]=');
    expect(files[0]).toMatchObject({ project: 'ris', dumpType: 'updates', duration: 300 });
    for (let i = 1; i < files.length; i++) expect(files[i]!.initialTime!).toBeGreaterThanOrEqual(files[i - 1]!.initialTime!);
  });

  it('retries a busy broker and filters by collector and type', async () => {
    broker.failBrokerRequests(2);
    const { files } = await listDumpFiles(
      { from: T0, to: T0 + 60, projects: ['ris'], collectors: ['rrc15'], types: ['ribs'] },
      { baseUrl: broker.brokerUrl, retry: FAST_RETRY },
    );
    expect(files.map((f) => f.location)).toEqual([broker.fileUrl(`rrc15-bview-${T0}.gz`)]);
  });

  it('fails with a clear error when the broker stays down or is not a broker', async () => {
    broker.failBrokerRequests(10);
    await expect(
      listDumpFiles({ from: T0, to: T0 + 60, projects: ['ris'], collectors: [], types: ['updates'] }, { baseUrl: broker.brokerUrl, retry: FAST_RETRY }),
    ).rejects.toThrow(/HTTP 503/);
    broker.failBrokerRequests(0);
    await expect(
      listDumpFiles({ from: T0, to: T0 + 60, projects: [], collectors: [], types: ['updates'] }, { baseUrl: `${broker.brokerUrl}/nope`, retry: FAST_RETRY }),
    ).rejects.toThrow(/HTTP 404/);
  });
});

describe.skipIf(!haveFixtures)('downloader', () => {
  it('downloads into the cache, then serves the cached copy', async () => {
    const url = broker.fileUrl(`rrc06-updates-${T0}.gz`);
    const first = await downloadToCache(url, { cacheDir, retry: FAST_RETRY });
    expect(first).toMatchObject({ fromCache: false, bytes: statSync(SAMPLE).size, path: cachePathFor(cacheDir, url) });
    expect(readFileSync(first.path).equals(readFileSync(SAMPLE))).toBe(true);
    const again = await downloadToCache(url, { cacheDir, retry: FAST_RETRY });
    expect(again.fromCache).toBe(true);
    expect(readdirSync(cacheDir).filter((n) => n.includes('.part'))).toEqual([]);
  });

  it('resumes a cut-off download with a Range request and verifies the size', async () => {
    const name = `rrc15-updates-${T0 + 1200}.gz`;
    const url = broker.fileUrl(name);
    broker.cutFileOnce(name, 50_000);
    broker.fileRequests.length = 0;
    const r = await downloadToCache(url, { cacheDir, retry: FAST_RETRY, partKey: 'job1' });
    expect(r.fromCache).toBe(false);
    expect(r.tries).toBe(2);
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(broker.fileRequests.map((f) => f.range)).toEqual(['', `bytes=${r.resumedFrom}-`]);
    expect(readFileSync(r.path).equals(readFileSync(SAMPLE))).toBe(true);
  });

  it('never leaves a partial file under the cache name', async () => {
    const url = broker.fileUrl('does-not-exist.gz');
    await expect(downloadToCache(url, { cacheDir, retry: FAST_RETRY })).rejects.toThrow(/HTTP 404/);
    expect(existsSync(cachePathFor(cacheDir, url))).toBe(false);
  });
});
