import '@/test/setup-env';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, getPgPool } from '@/lib/db/client';
import { createRpkiDbStore } from '@/lib/db/rpki';
import { createStayrtr, stayrtrPath } from '@/lib/rpki/rtr/stayrtr-harness';
import { RpkiSourceManager, parseRtrList } from '@/lib/rpki/source-manager';
import { resetRpkiTables } from '@/test/helpers/rpki';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(path.join(os.tmpdir(), 'bgpobs-rpki-'));
const file = path.join(dir, 'vrps.json');

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeEach(async () => {
  await resetRpkiTables();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await resetRpkiTables();
  await closeDb();
});

describe('parseRtrList', () => {
  it('parses host:port lists, IPv6 in brackets, and rejects the rest', () => {
    expect(parseRtrList('127.0.0.1:8282, [::1]:323,rtr.example:70000,nohost')).toEqual({
      endpoints: [{ host: '127.0.0.1', port: 8282 }, { host: '::1', port: 323 }],
      rejected: ['rtr.example:70000', 'nohost'],
    });
  });
});

describe('RpkiSourceManager', () => {
  it('loads a file, keeps it through a malformed rewrite, and restores it from PostgreSQL when the source is gone', async () => {
    writeFileSync(file, JSON.stringify({ roas: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 8 }, { asn: 2, prefix: '10.0.0.0/24', maxLength: 16 }], aspas: [{ customer_asid: 5, providers: [6] }] }));
    const m1 = new RpkiSourceManager({ config: { rtr: [], urls: [], files: [file], jsonRefreshS: 3600 }, logger, store: createRpkiDbStore(), rebuildDelayMs: 10 });
    await m1.start();
    await until('first index', () => m1.latest.index.size === 1);
    expect(m1.latest.index.validate('10.0.0.0/8', 1).state).toBe('valid');
    expect(m1.latest.aspas).toEqual([{ customerAsn: 5, providers: [6] }]);
    await m1.stop();
    const stored = await getPgPool().query('SELECT count(*)::int AS n FROM rpki_vrps');
    expect(stored.rows[0].n).toBe(1);

    // The file is now malformed: the new manager restores the stored set and reports the source stale.
    writeFileSync(file, '{"roas": [ {"asn": 1, "prefix": "10.0.0.0/8"');
    const m2 = new RpkiSourceManager({ config: { rtr: [], urls: [], files: [file], jsonRefreshS: 3600 }, logger, store: createRpkiDbStore(), rebuildDelayMs: 10 });
    await m2.start();
    await until('error recorded', () => m2.statuses()[0]!.lastError !== null);
    expect(m2.latest.index.validate('10.0.0.0/8', 1).state).toBe('valid');
    expect(m2.statuses()[0]).toMatchObject({ id: `file:${file}`, stale: true, vrpCount: 1, lastError: expect.stringContaining('malformed JSON') });
    await m2.stop();
  });

  it('a running source: a malformed export is reported and the previous set stays; a VRP longer than its maxLength is reported and skipped', async () => {
    const logged: { level: number; msg: string; count?: number; err?: string; problems?: { where: string; reason: string }[] }[] = [];
    const capture = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    writeFileSync(file, JSON.stringify({ roas: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 8 }] }));
    const m = new RpkiSourceManager({ config: { rtr: [], urls: [], files: [file], jsonRefreshS: 1 }, logger: capture, rebuildDelayMs: 10 });
    await m.start();
    try {
      await until('first index', () => m.latest.index.size === 1);
      writeFileSync(file, '{"roas": [ {"asn": 1, "prefix": "10.0.0.0/8", "maxLength": 8}, ');
      await until('the malformed export reported', () => m.statuses()[0]!.lastError !== null);
      expect(m.statuses()[0]).toMatchObject({ stale: true, vrpCount: 1, lastError: expect.stringContaining('malformed JSON') });
      expect(m.latest.index.validate('10.0.0.0/8', 1).state).toBe('valid');
      expect(logged.some((l) => l.msg.includes('keeping its previous set'))).toBe(true);

      // One entry is a /24 with maxLength 16: that entry is skipped (and logged), the rest is the new set.
      writeFileSync(file, JSON.stringify({ roas: [{ asn: 2, prefix: '192.0.2.0/24', maxLength: 16 }, { asn: 3, prefix: '198.51.100.0/24', maxLength: 24 }] }));
      await until('the new set', () => m.latest.index.validate('198.51.100.0/24', 3).state === 'valid');
      expect(m.latest.index.size).toBe(1);
      expect(m.latest.index.validate('192.0.2.0/24', 2).state).toBe('not_found');
      expect(m.statuses()[0]).toMatchObject({ stale: false, vrpCount: 1 });
      const skipped = logged.find((l) => l.msg === 'RPKI: skipped bad VRP entries');
      expect(skipped?.count).toBe(1);
      expect(skipped?.problems?.[0]).toEqual({ where: 'roas[0]', reason: expect.stringContaining('maxLength 16 outside 24..32') });
    } finally {
      await m.stop();
    }
  });

  it('applies a SLURM file to the union; a bad rewrite is reported and the previous one stays in force', async () => {
    const slurmFile = path.join(dir, 'slurm.json');
    const slurm = (o: { prefixFilters?: object[]; prefixAssertions?: object[] }) =>
      writeFileSync(slurmFile, JSON.stringify({ slurmVersion: 1, validationOutputFilters: { prefixFilters: o.prefixFilters ?? [], bgpsecFilters: [] }, locallyAddedAssertions: { prefixAssertions: o.prefixAssertions ?? [], bgpsecAssertions: [] } }));
    writeFileSync(file, JSON.stringify({ roas: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 8 }, { asn: 64500, prefix: '192.0.2.0/24', maxLength: 24 }] }));
    slurm({ prefixFilters: [{ asn: 64500, comment: 'mis-issued ROA' }], prefixAssertions: [{ asn: 64501, prefix: '198.51.100.0/24' }] });
    const m = new RpkiSourceManager({ config: { rtr: [], urls: [], files: [file], jsonRefreshS: 1, slurmFile }, logger, rebuildDelayMs: 10 });
    await m.start();
    try {
      await until('the file and SLURM in the index', () => m.latest.index.size === 2 && m.latest.slurm?.filtered === 1);
      expect(m.latest.index.validate('192.0.2.0/24', 64500).state).toBe('not_found');
      expect(m.latest.index.validate('198.51.100.0/24', 64501).state).toBe('valid');
      expect(m.latest.slurm).toMatchObject({ file: slurmFile, inForce: true, filters: 1, assertions: 1, filtered: 1, added: 1, lastError: null });

      // A bad rewrite (maxPrefixLength shorter than the prefix): reported, the previous document
      // stays in force, also through a rebuild caused by a VRP change meanwhile.
      slurm({ prefixAssertions: [{ asn: 64501, prefix: '198.51.100.0/24', maxPrefixLength: 8 }] });
      await until('SLURM error reported', () => m.slurmState()?.lastError !== null);
      expect(m.slurmState()!.lastError).toMatch(/maxLength 8 outside 24\.\.32/);
      writeFileSync(file, JSON.stringify({ roas: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 8 }, { asn: 64500, prefix: '192.0.2.0/24', maxLength: 24 }, { asn: 7, prefix: '203.0.113.0/24', maxLength: 24 }] }));
      await until('the VRP change indexed', () => m.latest.index.validate('203.0.113.0/24', 7).state === 'valid');
      expect(m.latest.index.validate('192.0.2.0/24', 64500).state).toBe('not_found');
      expect(m.latest.index.validate('198.51.100.0/24', 64501).state).toBe('valid');
      expect(m.latest.slurm).toMatchObject({ inForce: true, filtered: 1, added: 1 });

      // A good rewrite without the filter takes effect.
      slurm({});
      await until('new SLURM in force', () => m.latest.index.validate('192.0.2.0/24', 64500).state === 'valid');
      expect(m.latest.index.validate('198.51.100.0/24', 64501).state).toBe('not_found');
      expect(m.slurmState()).toMatchObject({ filters: 0, assertions: 0, lastError: null });
    } finally {
      await m.stop();
    }
  });

  it.skipIf(!stayrtrPath())('combines an RTR cache and a file as a union', async () => {
    const server = await createStayrtr();
    try {
      server.writeVrps([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 }]);
      await server.start();
      writeFileSync(file, JSON.stringify({ roas: [{ asn: 64501, prefix: '198.51.100.0/24', maxLength: 24 }] }));
      const m = new RpkiSourceManager({
        config: { rtr: [{ host: '127.0.0.1', port: server.port }], urls: [], files: [file], jsonRefreshS: 3600 },
        logger,
        rebuildDelayMs: 10,
      });
      await m.start();
      await until('both sources in the index', () => m.latest.index.size === 2);
      expect(m.latest.index.validate('192.0.2.0/24', 64500).state).toBe('valid');
      expect(m.latest.index.validate('198.51.100.0/24', 64500).state).toBe('invalid');
      expect(m.statuses().map((s) => [s.kind, s.vrpCount, s.stale])).toEqual([
        ['rtr', 1, false],
        ['file', 1, false],
      ]);
      await m.stop();
    } finally {
      await server.dispose();
    }
  });
});
