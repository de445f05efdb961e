// IPv4/IPv6 address and prefix parsing, canonical text forms and containment.
//
// Pure and dependency-free. Parsing is hand-written rather than built on `node:net` or regexes
// because the collector runs it for every prefix it sees (≥ 50k/s on a 2-core box); addresses are
// handled as 32-bit words (plain numbers) and only turned into a bigint at the end.

export type IpFamily = 4 | 6;

export interface ParsedPrefix {
  family: IpFamily;
  /** The network address as an unsigned integer (32 bits for IPv4, 128 for IPv6), host bits zero. */
  bits: bigint;
  length: number;
  /** "192.0.2.0/24", "2605:de00:bb::/48" (RFC 5952: compressed, lower-case). */
  canonical: string;
}

export interface ParsePrefixOptions {
  /**
   * Accept "10.1.2.3/8" and zero the host bits (canonical "10.0.0.0/8"). Off by default: in a
   * filter or configuration such input is usually a typo, so it is reported instead.
   */
  allowHostBits?: boolean;
}

export class PrefixError extends Error {
  override name = 'PrefixError';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid ${reason}: ${JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}…` : input)}`);
  }
}

/** Address as big-endian 32-bit words: 1 word for IPv4, 4 for IPv6. */
interface ParsedAddress {
  family: IpFamily;
  words: number[];
}

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_COLON = 58;

/** Parses a strict dotted quad in s[from, to). Returns the unsigned 32-bit value or -1. */
function parseIpv4Words(s: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (i < to) {
    let octet = 0;
    let digits = 0;
    const start = i;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < CH_0 || c > CH_9) break;
      octet = octet * 10 + (c - CH_0);
      digits++;
      i++;
    }
    // No empty octets, no leading zeros (would be read as octal by some tools), max 255.
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && s.charCodeAt(start) === CH_0)) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === to) break;
    if (s.charCodeAt(i) !== CH_DOT || octets === 4) return -1;
    i++;
    if (i === to) return -1; // trailing dot
  }
  return octets === 4 ? value : -1;
}

function hexValue(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0;
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Parses an IPv6 address in s[from, to) into 8 hextets, or returns null. */
function parseIpv6Hextets(s: string, from: number, to: number): number[] | null {
  const head: number[] = [];
  const tail: number[] = [];
  let target = head;
  let sawDoubleColon = false;
  let i = from;
  if (i < to && s.charCodeAt(i) === CH_COLON) {
    // A leading colon is only valid as part of "::".
    if (i + 1 >= to || s.charCodeAt(i + 1) !== CH_COLON) return null;
    sawDoubleColon = true;
    target = tail;
    i += 2;
    if (i === to) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  while (i < to) {
    const start = i;
    let value = 0;
    let digits = 0;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      digits++;
      i++;
    }
    if (i < to && s.charCodeAt(i) === CH_DOT) {
      // Embedded IPv4 (e.g. "::ffff:192.0.2.1"): must be the last 32 bits.
      const v4 = parseIpv4Words(s, start, to);
      if (v4 < 0) return null;
      target.push(Math.floor(v4 / 65536), v4 % 65536);
      i = to;
      break;
    }
    if (digits === 0 || digits > 4) return null;
    target.push(value);
    if (i === to) break;
    if (s.charCodeAt(i) !== CH_COLON) return null;
    i++;
    if (i < to && s.charCodeAt(i) === CH_COLON) {
      if (sawDoubleColon) return null;
      sawDoubleColon = true;
      target = tail;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return null; // trailing single colon
    }
  }
  const explicit = head.length + tail.length;
  if (sawDoubleColon) {
    if (explicit > 7) return null;
    for (let k = explicit; k < 8; k++) head.push(0);
    for (const t of tail) head.push(t);
    return head;
  }
  return explicit === 8 ? head : null;
}

function parseAddressRange(s: string, from: number, to: number): ParsedAddress | null {
  // A colon anywhere means IPv6; otherwise try IPv4.
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === CH_COLON) {
      const h = parseIpv6Hextets(s, from, to);
      if (!h) return null;
      return {
        family: 6,
        words: [h[0]! * 65536 + h[1]!, h[2]! * 65536 + h[3]!, h[4]! * 65536 + h[5]!, h[6]! * 65536 + h[7]!],
      };
    }
  }
  const v4 = parseIpv4Words(s, from, to);
  return v4 < 0 ? null : { family: 4, words: [v4] };
}

function formatIpv4(w: number): string {
  return `${Math.floor(w / 16777216)}.${Math.floor(w / 65536) % 256}.${Math.floor(w / 256) % 256}.${w % 256}`;
}

/** RFC 5952: lower-case, no leading zeros, the longest run (≥ 2) of zero hextets as "::" (first on ties). */
function formatIpv6(words: readonly number[]): string {
  const h = new Array<number>(8);
  for (let k = 0; k < 4; k++) {
    const w = words[k]!;
    h[2 * k] = Math.floor(w / 65536);
    h[2 * k + 1] = w % 65536;
  }
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 §5).
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return `::ffff:${formatIpv4(words[3]!)}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (h[k] !== 0) {
      k++;
      continue;
    }
    let end = k;
    while (end < 8 && h[end] === 0) end++;
    if (end - k > bestLen) {
      bestStart = k;
      bestLen = end - k;
    }
    k = end;
  }
  if (bestStart < 0) return h.map((x) => x.toString(16)).join(':');
  const left = h.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const right = h.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${left}::${right}`;
}

function formatAddress(a: ParsedAddress): string {
  return a.family === 4 ? formatIpv4(a.words[0]!) : formatIpv6(a.words);
}

/** Zeroes every bit after `length` (in place). Returns true if any bit was set. */
function maskWords(words: number[], length: number): boolean {
  let changed = false;
  for (let k = 0; k < words.length; k++) {
    const keep = length - k * 32;
    if (keep >= 32) continue;
    const w = words[k]!;
    let masked: number;
    if (keep <= 0) masked = 0;
    else {
      const span = 2 ** (32 - keep);
      masked = w - (w % span);
    }
    if (masked !== w) {
      words[k] = masked;
      changed = true;
    }
  }
  return changed;
}

function wordsToBigint(words: readonly number[]): bigint {
  let out = 0n;
  for (const w of words) out = (out << 32n) | BigInt(w);
  return out;
}

interface PrefixParts {
  family: IpFamily;
  words: number[];
  length: number;
  hostBitsZeroed: boolean;
}

function parsePrefixParts(s: string, allowHostBits: boolean): PrefixParts {
  if (typeof s !== 'string') throw new PrefixError(String(s), 'prefix (not a string)');
  const slash = s.indexOf('/');
  if (slash < 0) throw new PrefixError(s, 'prefix (missing /length)');
  const addr = parseAddressRange(s, 0, slash);
  if (!addr) throw new PrefixError(s, 'prefix (bad address)');
  let length = 0;
  const lenDigits = s.length - slash - 1;
  if (lenDigits === 0 || lenDigits > 3) throw new PrefixError(s, 'prefix (bad length)');
  for (let i = slash + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < CH_0 || c > CH_9) throw new PrefixError(s, 'prefix (bad length)');
    length = length * 10 + (c - CH_0);
  }
  if (lenDigits > 1 && s.charCodeAt(slash + 1) === CH_0) throw new PrefixError(s, 'prefix (bad length)');
  if (length > (addr.family === 4 ? 32 : 128)) throw new PrefixError(s, 'prefix (length out of range)');
  const hostBitsZeroed = maskWords(addr.words, length);
  if (hostBitsZeroed && !allowHostBits) throw new PrefixError(s, 'prefix (host bits set)');
  return { family: addr.family, words: addr.words, length, hostBitsZeroed };
}

/** Parses a CIDR prefix. Throws PrefixError on anything that is not a valid IPv4/IPv6 prefix. */
export function parsePrefix(s: string, opts: ParsePrefixOptions = {}): ParsedPrefix {
  const p = parsePrefixParts(s, opts.allowHostBits === true);
  return {
    family: p.family,
    bits: wordsToBigint(p.words),
    length: p.length,
    canonical: `${formatAddress(p)}/${p.length}`,
  };
}

/** The canonical text of a prefix (see ParsedPrefix.canonical). Throws PrefixError. */
export function canonicalPrefix(s: string, opts: ParsePrefixOptions = {}): string {
  const p = parsePrefixParts(s, opts.allowHostBits === true);
  return `${formatAddress(p)}/${p.length}`;
}

/**
 * For ingest: canonical text and length of a prefix, host bits zeroed and reported rather than
 * rejected; skips building the bigint. Throws PrefixError on anything else.
 */
export function normalizePrefix(s: string): { canonical: string; length: number; hostBitsZeroed: boolean } {
  const p = parsePrefixParts(s, true);
  return { canonical: `${formatAddress(p)}/${p.length}`, length: p.length, hostBitsZeroed: p.hostBitsZeroed };
}

/** The canonical text of an address ("2001:DB8:0:0::1" → "2001:db8::1"). Throws PrefixError. */
export function canonicalIp(s: string): string {
  if (typeof s !== 'string') throw new PrefixError(String(s), 'IP address (not a string)');
  const addr = parseAddressRange(s, 0, s.length);
  if (!addr) throw new PrefixError(s, 'IP address');
  return formatAddress(addr);
}

/** True when s is a valid IPv4 or IPv6 address in any accepted text form. */
export function isIpAddress(s: string): boolean {
  return typeof s === 'string' && parseAddressRange(s, 0, s.length) !== null;
}

/** True for IPv6 link-local addresses (fe80::/10), e.g. the second next hop RIS sends for IPv6 routes. */
export function isIpv6LinkLocal(ip: string): boolean {
  const addr = parseAddressRange(ip, 0, ip.length);
  return addr !== null && addr.family === 6 && Math.floor(addr.words[0]! / 2 ** 22) === 0x3fa;
}

/**
 * The prefix and every less-specific prefix that covers it, canonical, most specific first
 * ("10.1.0.0/16" → ["10.1.0.0/16", "10.0.0.0/15", …, "0.0.0.0/0"]). Throws PrefixError.
 */
export function coveringPrefixes(prefix: string): string[] {
  const p = parsePrefixParts(prefix, false);
  const out: string[] = [];
  const words = p.words.slice();
  for (let len = p.length; len >= 0; len--) {
    maskWords(words, len);
    out.push(`${formatAddress({ family: p.family, words })}/${len}`);
  }
  return out;
}

/** True when `inner` equals `outer` or is more specific and inside it. Different families: false. Throws PrefixError. */
export function prefixContains(outer: string, inner: string): boolean {
  const o = parsePrefixParts(outer, false);
  const i = parsePrefixParts(inner, false);
  if (o.family !== i.family || i.length < o.length) return false;
  maskWords(i.words, o.length);
  for (let k = 0; k < o.words.length; k++) if (o.words[k] !== i.words[k]) return false;
  return true;
}
