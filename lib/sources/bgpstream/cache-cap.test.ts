import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trimDownloadCache } from '@/lib/sources/bgpstream/cache-cap';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cache-cap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `kb` KiB last used `ageS` seconds before a fixed instant. */
function put(name: string, kb: number, ageS: number): string {
  const p = path.join(dir, name);
  writeFileSync(p, Buffer.alloc(kb * 1024));
  const t = new Date(Date.UTC(2026, 0, 1) - ageS * 1000);
  utimesSync(p, t, t);
  return p;
}

describe('trimDownloadCache', () => {
  it('removes least recently used files until the cache fits, never part files or kept ones', async () => {
    put('a-old.gz', 40, 400);
    const keep = put('b-kept.gz', 40, 300);
    put('c-mid.gz', 40, 200);
    put('d-new.gz', 40, 100);
    put('e.gz.part-file7', 40, 500);
    const r = await trimDownloadCache(dir, 100 * 1024, [keep]);
    // 200 KiB → remove a-old (oldest), skip b-kept, remove c-mid: 120 KiB → still over, d-new goes too.
    expect(r.bytesBefore).toBe(200 * 1024);
    expect(r.removed.map((p) => path.basename(p))).toEqual(['a-old.gz', 'c-mid.gz', 'd-new.gz']);
    expect(r.bytesAfter).toBe(80 * 1024);
    expect(readdirSync(dir).sort()).toEqual(['b-kept.gz', 'e.gz.part-file7']);
  });

  it('leaves a cache under the cap alone and treats a missing directory as empty', async () => {
    put('a.gz', 10, 10);
    expect(await trimDownloadCache(dir, 1024 * 1024)).toEqual({ bytesBefore: 10 * 1024, bytesAfter: 10 * 1024, removed: [] });
    expect(await trimDownloadCache(path.join(dir, 'nope'), 0)).toEqual({ bytesBefore: 0, bytesAfter: 0, removed: [] });
  });
});
