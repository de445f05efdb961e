import { describe, expect, it } from 'vitest';
import { applySlurm, parseSlurm, SlurmError } from '@/lib/rpki/slurm';
import type { Vrp } from '@/lib/rpki/types';
import { VrpIndex } from '@/lib/rpki/vrp-index';

const v = (prefix: string, maxLength: number, asn: number): Vrp => ({ prefix, maxLength, asn });

/** Shaped like RFC 8416 §3.5's full example, with our own data. */
const doc = (o: { prefixFilters?: object[]; bgpsecFilters?: object[]; prefixAssertions?: object[]; bgpsecAssertions?: object[]; version?: number } = {}) =>
  JSON.stringify({
    slurmVersion: o.version ?? 1,
    validationOutputFilters: { prefixFilters: o.prefixFilters ?? [], bgpsecFilters: o.bgpsecFilters ?? [] },
    locallyAddedAssertions: { prefixAssertions: o.prefixAssertions ?? [], bgpsecAssertions: o.bgpsecAssertions ?? [] },
  });

const INPUT: Vrp[] = [
  v('192.0.2.0/24', 24, 64496), // the filtered prefix itself
  v('192.0.2.128/25', 25, 64497), // more specific than a filter prefix: filtered
  v('192.0.0.0/16', 24, 64497), // less specific: kept (a filter covers, it is not covered)
  v('198.51.100.0/24', 24, 64498), // filtered by prefix + ASN
  v('198.51.100.0/24', 24, 64499), // same prefix, other ASN: kept
  v('203.0.113.0/24', 24, 64510), // filtered by ASN alone
  v('2001:db8::/32', 48, 64510), // filtered by ASN alone (any family)
  v('2001:db8:1::/48', 48, 64511), // kept
];

describe('SLURM (RFC 8416)', () => {
  const slurm = parseSlurm(
    doc({
      prefixFilters: [{ prefix: '192.0.2.0/24', comment: 'All VRPs encompassed by prefix' }, { asn: 64510, comment: 'All VRPs matching ASN' }, { prefix: '198.51.100.0/24', asn: 64498, comment: 'VRPs matching prefix and ASN' }],
      bgpsecFilters: [{ asn: 64496 }, { SKI: 'Zm9v', comment: 'key' }],
      prefixAssertions: [
        { asn: 64496, prefix: '198.51.100.0/24', comment: 'My other important route' },
        { asn: 64496, prefix: '2001:DB8::/32', maxPrefixLength: 48, comment: 'My other important de-aggregated routes' },
        { asn: 64496, prefix: '192.0.2.0/24', comment: 'an assertion inside a filtered prefix still counts' },
      ],
      bgpsecAssertions: [{ asn: 64496, SKI: 'Zm9v', routerPublicKey: 'YmFy' }],
    }),
  );

  it('parses filters and assertions (maxPrefixLength defaults to the prefix length, IPv6 canonicalised)', () => {
    expect(slurm.filters).toEqual([
      { prefix: '192.0.2.0/24', asn: null, comment: 'All VRPs encompassed by prefix' },
      { prefix: null, asn: 64510, comment: 'All VRPs matching ASN' },
      { prefix: '198.51.100.0/24', asn: 64498, comment: 'VRPs matching prefix and ASN' },
    ]);
    expect(slurm.assertions).toEqual([v('198.51.100.0/24', 24, 64496), v('2001:db8::/32', 48, 64496), v('192.0.2.0/24', 24, 64496)]);
    expect(slurm).toMatchObject({ bgpsecFilters: 2, bgpsecAssertions: 1 });
  });

  it('filters by covered prefix, by ASN, by both; then adds assertions, which filters never remove', () => {
    const r = applySlurm(INPUT, slurm);
    expect(r.filtered).toBe(5);
    expect(r.added).toBe(3);
    expect(r.vrps).toEqual([v('192.0.0.0/16', 24, 64497), v('198.51.100.0/24', 24, 64499), v('2001:db8:1::/48', 48, 64511), ...slurm.assertions]);
  });

  it('changes validation outcomes the way an operator means', () => {
    const before = VrpIndex.build(INPUT).index;
    const after = VrpIndex.build(applySlurm(INPUT, slurm).vrps).index;
    // A wrongly issued ROA filtered away: the route is valid through the local assertion instead.
    expect(before.validate('192.0.2.0/24', 64496).state).toBe('valid');
    expect(after.validate('192.0.2.0/24', 64496).state).toBe('valid');
    expect(before.validate('192.0.2.128/25', 64497).state).toBe('valid');
    expect(after.validate('192.0.2.128/25', 64497)).toMatchObject({ state: 'invalid', reason: 'max_length' });
    // Asserted locally: valid without any ROA for it.
    expect(before.validate('2001:db8:5::/48', 64496).state).toBe('invalid');
    expect(after.validate('2001:db8:5::/48', 64496).state).toBe('valid');
    // The ASN filter removed AS64510's ROA for 203.0.113.0/24: the route is no longer covered.
    expect(before.validate('203.0.113.0/24', 64510).state).toBe('valid');
    expect(after.validate('203.0.113.0/24', 64510).state).toBe('not_found');
  });

  it('with no prefix filters, leaves everything but the ASN filters alone', () => {
    const r = applySlurm(INPUT, parseSlurm(doc({ prefixFilters: [{ asn: 64497 }] })));
    expect(r).toMatchObject({ filtered: 2, added: 0 });
    expect(r.vrps).toHaveLength(INPUT.length - 2);
  });

  it.each([
    ['not JSON', '{ "slurmVersion": 1, ', /malformed JSON/],
    ['wrong version', doc({ version: 2 }), /slurmVersion must be 1/],
    ['a member missing', JSON.stringify({ slurmVersion: 1, validationOutputFilters: { prefixFilters: [], bgpsecFilters: [] } }), /locallyAddedAssertions/],
    ['a filter with neither prefix nor asn', doc({ prefixFilters: [{ comment: 'nothing' }] }), /needs a prefix, an asn, or both/],
    ['a filter prefix with host bits', doc({ prefixFilters: [{ prefix: '192.0.2.1/24' }] }), /prefixFilters\.0\.prefix/],
    ['an unknown member in a filter', doc({ prefixFilters: [{ prefix: '192.0.2.0/24', maxLength: 24 }] }), /prefixFilters\.0/],
    ['maxPrefixLength below the prefix length', doc({ prefixAssertions: [{ asn: 1, prefix: '10.0.0.0/16', maxPrefixLength: 8 }] }), /maxLength 8 outside 16\.\.32/],
    ['maxPrefixLength past the family width', doc({ prefixAssertions: [{ asn: 1, prefix: '10.0.0.0/16', maxPrefixLength: 33 }] }), /maxLength 33 outside/],
    ['an ASN out of range', doc({ prefixAssertions: [{ asn: 4294967296, prefix: '10.0.0.0/16' }] }), /asn/],
    ['a BGPsec assertion without its key', doc({ bgpsecAssertions: [{ asn: 1, SKI: 'x' }] }), /routerPublicKey/],
  ])('rejects a document with %s', (_name, text, message) => {
    expect(() => parseSlurm(text)).toThrow(SlurmError);
    expect(() => parseSlurm(text)).toThrow(message);
  });
});
