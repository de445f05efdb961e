import { describe, expect, it } from 'vitest';
import {
  PrefixError,
  canonicalIp,
  canonicalPrefix,
  coveringPrefixes,
  isIpv6LinkLocal,
  parsePrefix,
  prefixContains,
} from '@/lib/bgp/prefix';

describe('parsePrefix', () => {
  it('parses IPv4 prefixes into bits and length', () => {
    expect(parsePrefix('192.0.2.0/24')).toEqual({ family: 4, bits: 0xc0000200n, length: 24, canonical: '192.0.2.0/24' });
    expect(parsePrefix('0.0.0.0/0')).toEqual({ family: 4, bits: 0n, length: 0, canonical: '0.0.0.0/0' });
    expect(parsePrefix('255.255.255.255/32').bits).toBe(0xffffffffn);
  });

  it('parses IPv6 prefixes into 128-bit values', () => {
    const p = parsePrefix('2001:db8::/32');
    expect(p.family).toBe(6);
    expect(p.bits).toBe(0x20010db8n << 96n);
    expect(p.canonical).toBe('2001:db8::/32');
    expect(parsePrefix('::/0')).toEqual({ family: 6, bits: 0n, length: 0, canonical: '::/0' });
    expect(parsePrefix('2001:db8::1/128').bits).toBe((0x20010db8n << 96n) | 1n);
    expect(parsePrefix('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128').bits).toBe((1n << 128n) - 1n);
  });

  it('canonicalises non-canonical IPv6 text as RIS Live sends it (RFC 5952)', () => {
    expect(canonicalPrefix('2605:de00:bb:0:0:0:0:0/48')).toBe('2605:de00:bb::/48');
    expect(canonicalPrefix('2a01:6e00:0:0:0:0:0:0/48')).toBe('2a01:6e00::/48');
    expect(canonicalPrefix('2001:0DB8:0000::/32')).toBe('2001:db8::/32');
    // The longest zero run is compressed; on a tie the first one; a single zero is not.
    expect(canonicalPrefix('2001:0:0:1:0:0:0:0/64')).toBe('2001:0:0:1::/64');
    expect(canonicalPrefix('2001:db8:0:0:1:0:0:1/128')).toBe('2001:db8::1:0:0:1/128');
    expect(canonicalPrefix('2001:db8:0:1:1:1:1:1/128')).toBe('2001:db8:0:1:1:1:1:1/128');
  });

  it('rejects host bits unless allowed, then zeroes them', () => {
    expect(() => parsePrefix('10.1.2.3/8')).toThrow(PrefixError);
    expect(() => parsePrefix('2001:db8::1/32')).toThrow(/host bits/);
    expect(parsePrefix('10.1.2.3/8', { allowHostBits: true }).canonical).toBe('10.0.0.0/8');
    expect(canonicalPrefix('2001:db8:ffff::1/33', { allowHostBits: true })).toBe('2001:db8:8000::/33');
    expect(canonicalPrefix('192.0.2.255/0', { allowHostBits: true })).toBe('0.0.0.0/0');
  });

  it.each([
    '',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/33',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '256.0.0.0/8',
    '01.0.0.0/8',
    '10..0.0/8',
    '10.0.0.0/-1',
    '10.0.0.0/08',
    '10.0.0.0/8 ',
    ' 10.0.0.0/8',
    '2001:db8::/129',
    '2001:db8:::/32',
    '2001:db8::1::/32',
    ':2001:db8::/32',
    '2001:db8:/32',
    '1:2:3:4:5:6:7:8:9/128',
    '1:2:3:4:5:6:7/112',
    '2001:db8::g/128',
    '12345::/16',
    'fe80::1%eth0/64',
    '::ffff:1.2.3/96',
    'hello/8',
  ])('rejects %j', (s) => {
    expect(() => parsePrefix(s)).toThrow(PrefixError);
  });

  it('parses embedded IPv4 and the edge forms of "::"', () => {
    expect(canonicalPrefix('::ffff:192.0.2.0/120')).toBe('::ffff:192.0.2.0/120');
    expect(canonicalPrefix('1:2:3:4:5:6:7::/128')).toBe('1:2:3:4:5:6:7:0/128');
    expect(canonicalPrefix('::2:3:4:5:6:7:8/128')).toBe('0:2:3:4:5:6:7:8/128');
    expect(canonicalPrefix('64:ff9b::192.0.2.0/120')).toBe('64:ff9b::c000:200/120');
  });
});

describe('canonicalIp', () => {
  it('canonicalises both families', () => {
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('2001:7F8:54:0:0:0:1:143')).toBe('2001:7f8:54::1:143');
    expect(canonicalIp('fe80::86c1:c1ff:fe7d:6298')).toBe('fe80::86c1:c1ff:fe7d:6298');
    expect(canonicalIp('::')).toBe('::');
    expect(canonicalIp('::1')).toBe('::1');
  });
  it('rejects garbage', () => {
    for (const s of ['', '1.2.3', '1.2.3.4/32', 'abc', '2001:db8::1::2', '1.2.3.256']) {
      expect(() => canonicalIp(s), s).toThrow(PrefixError);
    }
  });
  it('recognises IPv6 link-local next hops', () => {
    expect(isIpv6LinkLocal('fe80::86c1:c1ff:fe7d:6298')).toBe(true);
    expect(isIpv6LinkLocal('febf::1')).toBe(true);
    expect(isIpv6LinkLocal('fec0::1')).toBe(false);
    expect(isIpv6LinkLocal('2001:504:1::a500:2497:1')).toBe(false);
    expect(isIpv6LinkLocal('169.254.0.1')).toBe(false);
    expect(isIpv6LinkLocal('nonsense')).toBe(false);
  });
});

describe('coveringPrefixes', () => {
  it('lists the prefix and every less-specific, most specific first', () => {
    const c = coveringPrefixes('10.1.0.0/16');
    expect(c).toHaveLength(17);
    expect(c.slice(0, 4)).toEqual(['10.1.0.0/16', '10.0.0.0/15', '10.0.0.0/14', '10.0.0.0/13']);
    expect(c.at(-1)).toBe('0.0.0.0/0');
    expect(coveringPrefixes('0.0.0.0/0')).toEqual(['0.0.0.0/0']);
  });
  it('works for IPv6 and canonicalises its input', () => {
    const c = coveringPrefixes('2605:de00:bb:0:0:0:0:0/48');
    expect(c).toHaveLength(49);
    expect(c[0]).toBe('2605:de00:bb::/48');
    expect(c[1]).toBe('2605:de00:ba::/47');
    expect(c[16]).toBe('2605:de00::/32');
    expect(c[48]).toBe('::/0');
    expect(coveringPrefixes('2001:db8::1/128')).toHaveLength(129);
  });
  it('rejects invalid input', () => {
    expect(() => coveringPrefixes('10.0.0.1/8')).toThrow(PrefixError);
  });
});

describe('prefixContains', () => {
  it('is true for equal and more-specific prefixes only', () => {
    expect(prefixContains('10.0.0.0/8', '10.0.0.0/8')).toBe(true);
    expect(prefixContains('10.0.0.0/8', '10.255.0.0/16')).toBe(true);
    expect(prefixContains('10.0.0.0/8', '11.0.0.0/16')).toBe(false);
    expect(prefixContains('10.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(prefixContains('0.0.0.0/0', '203.0.113.7/32')).toBe(true);
    expect(prefixContains('2001:db8::/32', '2001:db8:ffff::/48')).toBe(true);
    expect(prefixContains('2001:db8::/32', '2001:db9::/48')).toBe(false);
    expect(prefixContains('2001:db8::/32', '2001:db8:0:0:0:0:0:0/48')).toBe(true);
    expect(prefixContains('::/0', '0.0.0.0/0')).toBe(false);
  });
  it('throws on invalid prefixes', () => {
    expect(() => prefixContains('x', '10.0.0.0/8')).toThrow(PrefixError);
  });
});

describe('IPv6 formatting against the WHATWG URL serializer (an independent RFC 5952 implementation)', () => {
  it('agrees on 5,000 random addresses rich in zero runs', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 5000; n++) {
      const h = Array.from({ length: 8 }, () => (rnd() < 0.5 ? 0 : Math.floor(rnd() * 65536)));
      // Mapped addresses are printed dotted by us (RFC 5952 §5) but in hex by WHATWG.
      if (h.slice(0, 6).join(',') === '0,0,0,0,0,65535') continue;
      const text = h.map((x) => x.toString(16).toUpperCase().padStart(4, '0')).join(':');
      const expected = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      expect(canonicalIp(text), text).toBe(expected);
    }
  });
});
