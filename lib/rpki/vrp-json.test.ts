import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVrpJson, VrpDocumentError } from '@/lib/rpki/vrp-json';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/vrp');
const NOW = Date.UTC(2026, 10, 22);

describe('parseVrpJson', () => {
  it('reads a Routinator json export with string ASNs and ASPA', () => {
    const doc = {
      metadata: { generated: 1685455841, generatedTime: '2023-05-30T14:10:41Z' },
      roas: [
        { asn: 'AS196615', prefix: '93.175.147.0/24', maxLength: 24, ta: 'ripe' },
        { asn: 'AS13335', prefix: '2606:4700::/32', maxLength: 48, ta: 'arin' },
      ],
      routerKeys: [],
      aspas: [{ customer: 'AS64496', afi: 'ipv6', providers: ['AS64511', 'AS64499', 'AS65551'], ta: 'ripe' }],
    };
    const r = parseVrpJson(JSON.stringify(doc), NOW);
    expect(r.vrps).toEqual([
      { prefix: '93.175.147.0/24', maxLength: 24, asn: 196615 },
      { prefix: '2606:4700::/32', maxLength: 48, asn: 13335 },
    ]);
    expect(r.aspas).toEqual([{ customerAsn: 64496, providers: [64499, 64511, 65551] }]);
    expect(r.generatedAtMs).toBe(Date.parse('2023-05-30T14:10:41Z'));
    expect(r.problems).toEqual([]);
  });

  it('reads jsonext entries (source arrays instead of ta)', () => {
    const doc = { roas: [{ asn: 'AS1', prefix: '192.0.2.0/24', maxLength: 24, source: [{ type: 'roa', tal: 'ripe', uri: 'rsync://x/y.roa', validity: { notBefore: 'a', notAfter: 'b' } }] }] };
    expect(parseVrpJson(JSON.stringify(doc), NOW).vrps).toEqual([{ prefix: '192.0.2.0/24', maxLength: 24, asn: 1 }]);
  });

  it('reads a bare array, defaults maxLength and canonicalises IPv6', () => {
    const r = parseVrpJson(JSON.stringify([{ asn: '13335', prefix: '2001:DB8:0::/32' }, { asn: 5, prefix: '10.2.0.0/25', maxPrefixLength: 26 }]), NOW);
    expect(r.vrps).toEqual([
      { prefix: '2001:db8::/32', maxLength: 32, asn: 13335 },
      { prefix: '10.2.0.0/25', maxLength: 26, asn: 5 },
    ]);
    expect(r.aspas).toEqual([]);
  });

  it('reports and skips bad entries, keeps the good ones', () => {
    const doc = {
      roas: [
        { asn: 1, prefix: '10.0.0.0/24', maxLength: 16 },
        { asn: 'ASX', prefix: '10.0.0.0/24', maxLength: 24 },
        { asn: 4294967296, prefix: '10.0.0.0/24', maxLength: 24 },
        { asn: 1, prefix: '10.0.0.1/24', maxLength: 24 },
        { asn: 1, prefix: 'not a prefix', maxLength: 24 },
        { asn: 1, prefix: '10.0.0.0/24', maxLength: 33 },
        'junk',
        { asn: 2, prefix: '10.9.0.0/16', maxLength: 24 },
      ],
    };
    const r = parseVrpJson(JSON.stringify(doc), NOW);
    expect(r.vrps).toEqual([{ prefix: '10.9.0.0/16', maxLength: 24, asn: 2 }]);
    expect(r.problems.map((p) => p.where)).toEqual(['roas[0]', 'roas[1]', 'roas[2]', 'roas[3]', 'roas[4]', 'roas[5]', 'roas[6]']);
    expect(r.problems[0]!.reason).toContain('maxLength 16 outside 24..32');
    expect(r.problems[3]!.reason).toContain('host bits');
  });

  it('drops expired entries', () => {
    const nowS = NOW / 1000;
    const r = parseVrpJson(JSON.stringify({ roas: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 8, expires: nowS - 1 }, { asn: 1, prefix: '11.0.0.0/8', maxLength: 8, expires: nowS + 60 }] }), NOW);
    expect(r.vrps.map((v) => v.prefix)).toEqual(['11.0.0.0/8']);
    expect(r.expired).toBe(1);
  });

  it('rejects malformed documents with VrpDocumentError', () => {
    expect(() => parseVrpJson('{"roas": [', NOW)).toThrow(VrpDocumentError);
    expect(() => parseVrpJson('{"metadata": {}}', NOW)).toThrow(/"roas" array/);
    expect(() => parseVrpJson('42', NOW)).toThrow(VrpDocumentError);
    expect(() => parseVrpJson('{"roas": {"a": 1}}', NOW)).toThrow(VrpDocumentError);
  });

  const realFile = path.join(FIXTURES, 'stayrtr-test.rpki.json');
  it.skipIf(!existsSync(realFile))('reads the real rpki-client excerpt (../shared/fixtures/vrp) with its older ASPA block', () => {
    const r = parseVrpJson(readFileSync(realFile, 'utf8'), Date.UTC(2026, 0, 1));
    expect(r.vrps).toHaveLength(19);
    expect(r.vrps).toContainEqual({ prefix: '2001:610::/32', maxLength: 48, asn: 1103 });
    expect(r.generatedAtMs).toBe(Date.parse('2023-07-27T18:56:02Z'));
    expect(r.aspas).toEqual([
      { customerAsn: 15562, providers: [2914, 8283, 51088, 206238] },
      { customerAsn: 64496, providers: [1299, 6939, 7480, 32097, 50058, 61138] },
    ]);
    // Everything expires in 2027 (expires 1827…): a "now" after that drops them all.
    expect(parseVrpJson(readFileSync(realFile, 'utf8'), Date.UTC(2028, 0, 1)).expired).toBe(19);
  });

  const small = path.join(FIXTURES, 'stayrtr-smalltest.rpki.json');
  it.skipIf(!existsSync(small))('reads both ASN spellings of the small stayrtr file', () => {
    const r = parseVrpJson(readFileSync(small, 'utf8'), Date.UTC(2021, 0, 1));
    expect(r.vrps).toEqual([
      { prefix: '1.0.0.0/24', maxLength: 24, asn: 13335 },
      { prefix: '2001:200:136::/48', maxLength: 48, asn: 9367 },
    ]);
  });
});
