// Differential test: every MRT file under ../shared/fixtures/mrt decoded by our reader and by
// Debian `bgpdump -m`, compared line by line on every field bgpdump prints.
//
// Records on which bgpdump 1.6.2 is known to be wrong, or which it does not decode, are taken out
// of the comparison on both sides (bgpdump then runs on a copy of the file without them) and are
// checked against hand-verified expectations instead. Each such record is listed below with the
// reason; any other skip, warning or difference fails the test.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBgpdumpLines } from '@/lib/bgp/mrt/bgpdump-format';
import type { MrtItem } from '@/lib/bgp/mrt/types';
import { BGPDUMP, compareWithBgpdump, decodeMrtFile, haveBgpdump } from '@/test/helpers/mrt-diff';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/mrt');
const haveFixtures = existsSync(FIXTURES);
const skipReason = !haveFixtures
  ? `skipped: MRT fixtures not found at ${FIXTURES}`
  : !haveBgpdump
    ? `skipped: ${BGPDUMP} missing (apt-get install bgpdump; scripts/ensure-system-deps.sh)`
    : '';

interface Expectation {
  /** Records our reader skips (content invalid, framing intact). */
  skipped?: number[];
  /** Records decoded with a repair/guess (reported through onWarn). */
  warned?: number[];
  /** Records left out of the comparison because bgpdump 1.6.2 decodes them wrongly or not at all. */
  excluded?: { records: number[]; why: string };
  /** The stream ends in MrtParseError at this record. */
  fatal?: { recordIndex: number; byteOffset: number };
  /** bgpdump prints the peer address instead of the prefix address in type-5 withdrawals. */
  legacyWithdrawBug?: boolean;
  /** Extra checks of our own decoding of the excluded/warned records. */
  check?: (items: MrtItem[]) => void;
}

const EXPECT: Record<string, Expectation> = {
  'bgpdump/test_data/updates.nlri_mask_trailing_bits.gz': {
    // NLRI 0d 0b 0d = 11.8.0.0/13 (trailing bits masked); Debian bgpdump prints 11.13.0.0/13 (bgpdump#2).
    // A last cut prefix byte (0b) follows: bgpdump's "INCOMPLETE PACKET", reported as a warning.
    warned: [0],
    excluded: { records: [0], why: 'bgpdump 1.6.2 does not mask NLRI trailing bits (compared with the upstream golden instead)' },
    check: (items) => {
      const golden = gunzipSync(readFileSync(path.join(FIXTURES, 'bgpdump/test_expect/updates.nlri_mask_trailing_bits.gz.bgp.gz'))).toString().trim();
      expect(items.flatMap(formatBgpdumpLines)).toEqual([golden]);
    },
  },
  'bgpkit-parser/ripe/rrc00/1999.09/updates.19990903.1041.gz': { legacyWithdrawBug: true },
  'bgpkit-parser/ripe/rrc00/1999.12/updates.19991214.1621.gz': { legacyWithdrawBug: true },
  'bgpkit-parser/ripe/rrc00/2000.01/updates.20000102.2014.gz': { legacyWithdrawBug: true },
  'bgpkit-parser/ripe/rrc00/2000.01/bview.20000111.0032.gz': {
    // Record 0 batches many entries and declares 4 bytes too few: the next header is garbage.
    fatal: { recordIndex: 2, byteOffset: 794177 },
  },
  'bgpkit-parser/ripe/rrc00/2000.03/updates.20000325.0345.gz': {
    legacyWithdrawBug: true,
    skipped: [4],
    fatal: { recordIndex: 6, byteOffset: 15024 },
  },
  'mrtparse/bird_bgp': {
    warned: [7, 8, 10, 24, 25, 27],
    excluded: { records: [7, 8, 10, 24, 25, 27], why: 'ADD-PATH NLRI under MESSAGE_AS4: bgpdump reads path ids as prefixes (0.0.0.0/0…)' },
    check: (items) => {
      const r7 = items.find((i) => i.record.index === 7);
      expect(r7?.kind === 'update' && r7.announced.map((p) => `${p.prefix}#${p.pathId}`)).toEqual(['172.17.0.0/24#2', '172.17.1.0/24#2', '172.17.2.0/24#2']);
    },
  },
  'mrtparse/bird6_bgp': {
    warned: [7, 8, 10, 24, 25, 27],
    excluded: { records: [7, 8, 10, 24, 25, 27], why: 'ADD-PATH NLRI under MESSAGE_AS4: bgpdump reads path ids as prefixes (::/0…)' },
    check: (items) => {
      const r7 = items.find((i) => i.record.index === 7);
      expect(r7?.kind === 'update' && r7.announced.every((p) => p.pathId !== null && p.prefix.startsWith('fd01:1:'))).toBe(true);
    },
  },
  'mrtparse/openbgpd_rib_table': {
    excluded: { records: [0], why: 'AGGREGATOR of 8 bytes in a 2-byte-AS TABLE_DUMP: bgpdump prints "0 253.232.192.168"' },
    check: (items) => {
      const r0 = items.find((i) => i.record.index === 0);
      expect(r0 && formatBgpdumpLines(r0)).toEqual(['TABLE_DUMP|1444843994|B|192.168.1.10|65000|192.168.0.0/16|65015|IGP|192.168.0.15|100|0||NAG|65000 192.168.0.15|']);
    },
  },
  'mrtparse/openbgpd_rib_table-v2': {
    excluded: { records: [22, 23], why: 'RIB_GENERIC: bgpdump 1.6.2 does not decode it' },
    check: (items) => {
      const lines = items.filter((i) => i.record.subtype === 6).flatMap(formatBgpdumpLines);
      expect(lines).toEqual([
        'TABLE_DUMP2|1444842656|B|192.168.1.10|65000|192.168.0.0/16||IGP|192.168.0.15|100|0||NAG|65000 192.168.0.15|',
        'TABLE_DUMP2|1444842656|B|192.168.1.10|65000|192.168.7.0/24||IGP|192.168.0.15|100|0||NAG||',
      ]);
    },
  },
};

function listMrtFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'test_expect') out.push(...listMrtFiles(p));
    } else if (name !== 'README.md') out.push(p);
  }
  return out.sort();
}

/** bgpdump prints a type-5 withdrawal with the peer address in place of the prefix address. */
function maskLegacyWithdraw(line: string): string {
  return line.replace(/^(BGP\|\d+\|W\|[^|]+\|\d+\|)[^/]*\//, '$1*/');
}

const files = haveFixtures ? listMrtFiles(FIXTURES) : [];
const tmp = mkdtempSync(path.join(tmpdir(), 'mrt-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('MRT reader vs bgpdump -m', () => {
  if (skipReason) {
    it.skip(`every shared MRT fixture — ${skipReason}`, () => undefined);
    return;
  }

  it('finds the shared fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    const rel = path.relative(FIXTURES, file);
    it(`decodes ${rel} exactly as bgpdump does`, async () => {
      const exp = EXPECT[rel] ?? {};
      const r = await decodeMrtFile(file);
      expect(r.skipped, 'skipped records').toEqual(exp.skipped ?? []);
      expect(r.warned, 'records decoded with a repair').toEqual(exp.warned ?? []);
      if (exp.fatal) {
        expect(r.fatal, 'expected MrtParseError').not.toBeNull();
        expect({ recordIndex: r.fatal!.recordIndex, byteOffset: r.fatal!.byteOffset }).toEqual(exp.fatal);
      } else {
        expect(r.fatal?.message ?? null, 'MrtParseError').toBeNull();
      }

      const { ref, ours, diff } = await compareWithBgpdump(file, r, {
        excluded: exp.excluded?.records,
        mask: exp.legacyWithdrawBug ? maskLegacyWithdraw : undefined,
        tmpDir: tmp,
        copyName: rel.replaceAll('/', '_'),
      });
      expect(diff, `${rel}: first differences`).toBe('');
      expect(ours.length).toBe(ref.length);
      exp.check?.(r.items);
    });
  }
});
