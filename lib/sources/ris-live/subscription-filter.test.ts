import { describe, expect, it } from 'vitest';
import {
  compileSubscription,
  matchesAnySubscription,
  matchesSubscription,
  parsePathPattern,
  PathPatternError,
  SubscriptionError,
  type FilterMessage,
  type FilterSubscription,
} from '@/lib/sources/ris-live/subscription-filter';

// Shapes copied from the 2026 wire format (PROTOCOLS.md §1.4), values made up.
const v4Update: FilterMessage = {
  type: 'UPDATE',
  host: 'rrc21.ripe.net',
  peer: '37.49.237.143',
  path: [50628, 35280, 6453, 4637, 16509],
  announcements: [{ next_hop: '37.49.237.143', prefixes: ['173.82.228.0/24', '10.20.0.0/16'] }],
  withdrawals: [],
};
const v6Withdrawal: FilterMessage = {
  type: 'UPDATE',
  host: 'rrc21.ripe.net',
  peer: '2001:7f8:54::1:143',
  path: [],
  announcements: [],
  withdrawals: ['2a01:6e00:0:0:0:0:0:0/48'],
};
const asSetUpdate: FilterMessage = {
  type: 'UPDATE',
  host: 'rrc11',
  peer: '2001:504:1::a500:2497:1',
  path: [2497, 6453, 18705, 26281, [13340, 1200]],
  announcements: [
    { next_hop: '2001:504:1::a500:2497:1', prefixes: ['2607:ffc0:1000::/36'] },
    { next_hop: 'fe80::86c1:c1ff:fe7d:6298', prefixes: ['2607:ffc0:1000::/36'] },
  ],
};
const peerState: FilterMessage = { type: 'RIS_PEER_STATE', host: 'rrc01.ripe.net', peer: '195.66.224.59' };

const cases: Array<[string, FilterMessage, FilterSubscription, boolean]> = [
  ['empty subscription matches everything', peerState, {}, true],
  // host: compared without .ripe.net on either side
  ['host short vs long', v4Update, { host: 'rrc21' }, true],
  ['host long vs long', v4Update, { host: 'rrc21.ripe.net' }, true],
  ['host long vs short', asSetUpdate, { host: 'rrc11.ripe.net' }, true],
  ['host other', v4Update, { host: 'rrc00' }, false],
  // type
  ['type UPDATE', v4Update, { type: 'UPDATE' }, true],
  ['type mismatch', peerState, { type: 'UPDATE' }, false],
  ['type peer state', peerState, { type: 'RIS_PEER_STATE' }, true],
  // require: non-empty key
  ['require announcements present', v4Update, { require: 'announcements' }, true],
  ['require withdrawals empty list', v4Update, { require: 'withdrawals' }, false],
  ['require withdrawals present', v6Withdrawal, { require: 'withdrawals' }, true],
  ['require announcements empty list', v6Withdrawal, { require: 'announcements' }, false],
  ['require missing key', peerState, { require: 'announcements' }, false],
  // peer: canonical comparison
  ['peer v4', v4Update, { peer: '37.49.237.143' }, true],
  ['peer v6 non-canonical', v6Withdrawal, { peer: '2001:7F8:54:0:0:0:1:143' }, true],
  ['peer other', v4Update, { peer: '37.49.237.144' }, false],
  // path: integer anywhere (incl. AS_SET members)
  ['path int transit', v4Update, { path: 6453 }, true],
  ['path int absent', v4Update, { path: 3356 }, false],
  ['path int inside AS_SET', asSetUpdate, { path: 13340 }, true],
  ['path string single', v4Update, { path: '6453' }, true],
  ['path origin anchor', v4Update, { path: '16509$' }, true],
  ['path origin anchor miss', v4Update, { path: '4637$' }, false],
  ['path first-hop anchor', v4Update, { path: '^50628' }, true],
  ['path first-hop anchor miss', v4Update, { path: '^35280' }, false],
  ['path contiguous', v4Update, { path: '35280,6453' }, true],
  ['path not contiguous', v4Update, { path: '35280,4637' }, false],
  ['path whole', v4Update, { path: '^50628,35280,6453,4637,16509$' }, true],
  ['path whole too short', v4Update, { path: '^50628,35280,6453,4637$' }, false],
  ['path negated origin', v4Update, { path: '!6666$' }, true],
  ['path negated hit', v4Update, { path: '!16509$' }, false],
  ['path negated first hop', v4Update, { path: '!^3333' }, true],
  ['path AS_SET at origin', asSetUpdate, { path: '26281,[1200,13340]$' }, true],
  ['path AS_SET wrong members', asSetUpdate, { path: '[1200,13341]$' }, false],
  ['path plain ASN does not match a set hop', asSetUpdate, { path: '13340$' }, false],
  ['path filter on empty path', v6Withdrawal, { path: 6453 }, false],
  ['path filter on non-UPDATE', peerState, { path: '!6666' }, false],
  // prefix: exact, more specific (default true), less specific (default false)
  ['prefix exact', v4Update, { prefix: '173.82.228.0/24' }, true],
  ['prefix more specific by default', v4Update, { prefix: '173.82.0.0/16' }, true],
  ['prefix more specific off', v4Update, { prefix: '173.82.0.0/16', moreSpecific: false }, false],
  ['prefix less specific off by default', v4Update, { prefix: '173.82.228.0/25' }, false],
  ['prefix less specific on', v4Update, { prefix: '173.82.228.0/25', lessSpecific: true }, true],
  ['prefix matches second announced', v4Update, { prefix: '10.20.30.0/24', lessSpecific: true }, true],
  ['prefix unrelated', v4Update, { prefix: '192.0.2.0/24' }, false],
  ['prefix array any', v4Update, { prefix: ['192.0.2.0/24', '173.82.228.0/24'] }, true],
  ['prefix v6 withdrawal non-canonical', v6Withdrawal, { prefix: '2a01:6e00::/48' }, true],
  ['prefix v6 covering', v6Withdrawal, { prefix: '2a01::/16' }, true],
  ['prefix v6 vs v4 family', v6Withdrawal, { prefix: '0.0.0.0/0' }, false],
  ['prefix v6 announced twice', asSetUpdate, { prefix: '2607:ffc0::/32' }, true],
  ['prefix on non-UPDATE', peerState, { prefix: '0.0.0.0/0' }, false],
  // AND across fields
  ['and all true', v4Update, { host: 'rrc21', type: 'UPDATE', path: 6453, prefix: '173.82.0.0/16', require: 'announcements' }, true],
  ['and one false', v4Update, { host: 'rrc21', type: 'UPDATE', path: 6453, prefix: '173.82.0.0/16', require: 'withdrawals' }, false],
];

describe('matchesSubscription', () => {
  it.each(cases)('%s', (_name, msg, sub, expected) => {
    expect(matchesSubscription(msg, sub)).toBe(expected);
  });

  it('ignores unparseable prefixes in the message instead of throwing', () => {
    const bad: FilterMessage = { type: 'UPDATE', announcements: [{ prefixes: ['nonsense', 42, '10.0.0.0/8'] }] };
    expect(matchesSubscription(bad, { prefix: '10.0.0.0/8' })).toBe(true);
    expect(matchesSubscription(bad, { prefix: '11.0.0.0/8' })).toBe(false);
  });
});

describe('matchesAnySubscription', () => {
  const subs = [compileSubscription({ host: 'rrc00' }), compileSubscription({ prefix: '2a01::/16' })];
  it('ORs subscriptions', () => {
    expect(matchesAnySubscription(v6Withdrawal, subs)).toBe(true); // second
    expect(matchesAnySubscription({ ...peerState, host: 'rrc00' }, subs)).toBe(true); // first
    expect(matchesAnySubscription(v4Update, subs)).toBe(false);
  });
  it('matches nothing without subscriptions', () => {
    expect(matchesAnySubscription(v4Update, [])).toBe(false);
  });
});

describe('parsePathPattern', () => {
  it('parses anchors, negation and AS_SETs', () => {
    expect(parsePathPattern('!^123,456,[789,10111]$')).toEqual({
      negate: true,
      anchorStart: true,
      anchorEnd: true,
      anywhere: false,
      tokens: [
        { kind: 'asn', asn: 123 },
        { kind: 'asn', asn: 456 },
        { kind: 'set', members: [789, 10111] },
      ],
    });
    expect(parsePathPattern(3356)).toMatchObject({ anywhere: true, tokens: [{ kind: 'asn', asn: 3356 }] });
  });

  it.each([
    ['', /no AS numbers/],
    ['^$', /no AS numbers/],
    ['12,,34', /not an AS number/],
    ['12,', /trailing ','/],
    ['abc', /not an AS number/],
    ['[10,5]', /ascending/],
    ['[10,20', /unclosed/],
    ['4294967296', /out of range/],
    ['1 2', /not an AS number/],
  ])('rejects %j', (input, message) => {
    expect(() => parsePathPattern(input)).toThrow(PathPatternError);
    expect(() => parsePathPattern(input)).toThrow(message);
  });

  it('rejects non-integer numbers', () => {
    expect(() => parsePathPattern(1.5)).toThrow(PathPatternError);
    expect(() => parsePathPattern(-1)).toThrow(PathPatternError);
  });
});

describe('compileSubscription', () => {
  it('rejects bad prefixes and peers with a clear message', () => {
    expect(() => compileSubscription({ prefix: '300.0.0.0/8' })).toThrow(SubscriptionError);
    expect(() => compileSubscription({ prefix: ['10.0.0.0/8', 'x'] })).toThrow(/invalid prefix "x"/);
    expect(() => compileSubscription({ prefix: [] })).toThrow(/empty/);
    expect(() => compileSubscription({ peer: 'not-an-ip' })).toThrow(/invalid peer/);
  });
});
