// Address text straight from wire bytes, in the same canonical forms as lib/bgp/prefix
// (IPv4 dotted quad; IPv6 RFC 5952 lower-case, longest zero run ≥ 2 compressed, first on ties,
// IPv4-mapped as ::ffff:a.b.c.d), so MRT and RIS Live produce identical strings. Pure.

const HEX: string[] = [];
for (let i = 0; i < 65536; i++) HEX.push(i.toString(16));

export function ipv4At(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

const hextets = new Uint16Array(8);

/** Formats the 16 bytes at b[o..o+16). */
export function ipv6At(b: Uint8Array, o: number): string {
  for (let k = 0; k < 8; k++) hextets[k] = (b[o + 2 * k]! << 8) | b[o + 2 * k + 1]!;
  return formatHextets(hextets, b, o);
}

function formatHextets(h: Uint16Array, b: Uint8Array, o: number): string {
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    return `::ffff:${ipv4At(b, o + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (h[k] !== 0) {
      k++;
      continue;
    }
    let end = k + 1;
    while (end < 8 && h[end] === 0) end++;
    if (end - k > bestLen) {
      bestStart = k;
      bestLen = end - k;
    }
    k = end;
  }
  let s = '';
  if (bestStart < 0) {
    for (let k = 0; k < 8; k++) s += k === 0 ? HEX[h[k]!] : `:${HEX[h[k]!]}`;
    return s;
  }
  for (let k = 0; k < bestStart; k++) s += k === 0 ? HEX[h[k]!] : `:${HEX[h[k]!]}`;
  s += '::';
  for (let k = bestStart + bestLen; k < 8; k++) s += k === bestStart + bestLen ? HEX[h[k]!] : `:${HEX[h[k]!]}`;
  return s;
}

/** Address of `afi` (1 IPv4 / 2 IPv6) at b[o]. */
export function ipAt(b: Uint8Array, o: number, afi: number): string {
  return afi === 2 ? ipv6At(b, o) : ipv4At(b, o);
}

// Peer and local addresses repeat in record after record (a collector has a few hundred peers):
// a direct-mapped cache of their texts saves building the same string for every record. Keys are
// kept in an Int32Array (no boxing); a slot holds the latest address that hashed to it.
const CACHE_SLOTS = 1024;
const cacheKeys = new Int32Array(CACHE_SLOTS * 4);
const cacheFamily = new Uint8Array(CACHE_SLOTS);
const cacheText: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/** ipAt for session addresses (peer, local), through the cache. */
export function sessionIpAt(b: Uint8Array, o: number, afi: number): string {
  const w0 = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  if (afi === 2) {
    w1 = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
    w2 = (b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!;
    w3 = (b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!;
  }
  const family = afi === 2 ? 2 : 1;
  const h = Math.imul(w0 ^ Math.imul(w1 ^ Math.imul(w2 ^ Math.imul(w3, 0x9e3779b1), 0x85ebca77), 0xc2b2ae35), 0x27d4eb2f);
  const slot = (h >>> 22) & (CACHE_SLOTS - 1);
  const k = slot * 4;
  const cached = cacheText[slot];
  if (cached !== undefined && cacheFamily[slot] === family && cacheKeys[k] === w0 && cacheKeys[k + 1] === w1 && cacheKeys[k + 2] === w2 && cacheKeys[k + 3] === w3) return cached;
  const text = family === 2 ? ipv6At(b, o) : ipv4At(b, o);
  cacheKeys[k] = w0;
  cacheKeys[k + 1] = w1;
  cacheKeys[k + 2] = w2;
  cacheKeys[k + 3] = w3;
  cacheFamily[slot] = family;
  cacheText[slot] = text;
  return text;
}

const scratch = new Uint8Array(16);

/** "0." … "255." and "0" … "255": a dotted quad is four table reads and concatenations, no number formatting. */
const OCTET_DOT: string[] = [];
const OCTET: string[] = [];
for (let i = 0; i < 256; i++) {
  OCTET.push(String(i));
  OCTET_DOT.push(`${i}.`);
}
/** "/0" … "/128". */
const SLASH_LEN: string[] = [];
for (let i = 0; i <= 128; i++) SLASH_LEN.push(`/${i}`);

/** "a.b.c.d/len" of a 32-bit address (host bits already zeroed). */
export function ipv4PrefixText(addr: number, bits: number): string {
  return OCTET_DOT[addr >>> 24]! + OCTET_DOT[(addr >>> 16) & 0xff]! + OCTET_DOT[(addr >>> 8) & 0xff]! + OCTET[addr & 0xff]! + SLASH_LEN[bits]!;
}

/** Text of an IPv6 prefix given as four 32-bit words (host bits already zeroed). */
export function ipv6PrefixText(w0: number, w1: number, w2: number, w3: number, bits: number): string {
  const s = scratch;
  s[0] = w0 >>> 24;
  s[1] = w0 >>> 16;
  s[2] = w0 >>> 8;
  s[3] = w0;
  s[4] = w1 >>> 24;
  s[5] = w1 >>> 16;
  s[6] = w1 >>> 8;
  s[7] = w1;
  s[8] = w2 >>> 24;
  s[9] = w2 >>> 16;
  s[10] = w2 >>> 8;
  s[11] = w2;
  s[12] = w3 >>> 24;
  s[13] = w3 >>> 16;
  s[14] = w3 >>> 8;
  s[15] = w3;
  return ipv6At(s, 0) + SLASH_LEN[bits]!;
}

/**
 * The significant bytes of a prefix at b[o, o + ceil(bits/8)), host bits zeroed, as the 32-bit
 * word starting at byte 4·k of the address (k = 0 for IPv4).
 */
export function prefixWord(b: Uint8Array, o: number, bits: number, k: number): number {
  const first = 4 * k;
  const n = (bits + 7) >> 3;
  if (n <= first) return 0;
  let w = 0;
  for (let i = 0; i < 4; i++) {
    const j = first + i;
    w = (w << 8) | (j < n ? b[o + j]! : 0);
  }
  const keep = bits - 8 * first;
  if (keep < 32) w &= ~(0xffffffff >>> keep);
  return w >>> 0;
}

/** True when the prefix of `bits` length at b[o] has non-zero bits after `bits`. */
export function hostBitsSetAt(b: Uint8Array, o: number, bits: number): boolean {
  const rem = bits & 7;
  if (rem === 0) return false;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (b[o + (bits >> 3)]! & ~mask) !== 0;
}
