// Prefixes as unsigned 32-bit words, the key the validation index and the route table use
// (IPv4: one word, IPv6: four, big-endian). Pure.
//
// IPv4 text is parsed here by hand because it is the hot case (validating every ingested route);
// IPv6 goes through lib/bgp/prefix (strict RFC 4291 text, RFC 5952 canonical form).

import { parsePrefix, PrefixError } from '@/lib/bgp/prefix';

export interface PrefixWords {
  family: 4 | 6;
  /** Network address words, host bits zero. IPv4 uses w0 only. */
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  length: number;
}

/** Parses "a.b.c.d/len" strictly; returns null for anything else (callers fall back). */
function parseIpv4Fast(s: string, allowHostBits: boolean): PrefixWords | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return null;
    } else if (c === 46 || c === 47) {
      if (digits === 0) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      if (c === 47) break;
      if (++dots > 3) return null;
    } else return null;
  }
  if (dots !== 3 || i >= s.length) return null;
  let length = 0;
  let lenDigits = 0;
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57 || (lenDigits > 0 && length === 0)) return null;
    length = length * 10 + (c - 48);
    if (++lenDigits > 2) return null;
  }
  if (lenDigits === 0 || length > 32) return null;
  const masked = length === 0 ? 0 : ((value >>> (32 - length)) << (32 - length)) >>> 0;
  if (masked !== value && !allowHostBits) return null;
  return { family: 4, w0: masked, w1: 0, w2: 0, w3: 0, length };
}

/**
 * Prefix text to words. Host bits set are an error unless `allowHostBits` (then they are zeroed).
 * Throws PrefixError.
 */
export function prefixToWords(prefix: string, allowHostBits = false): PrefixWords {
  const fast = prefix.includes(':') ? null : parseIpv4Fast(prefix, allowHostBits);
  if (fast) return fast;
  const p = parsePrefix(prefix, { allowHostBits });
  if (p.family === 4) return { family: 4, w0: Number(p.bits), w1: 0, w2: 0, w3: 0, length: p.length };
  const b = p.bits;
  return {
    family: 6,
    w0: Number((b >> 96n) & 0xffffffffn),
    w1: Number((b >> 64n) & 0xffffffffn),
    w2: Number((b >> 32n) & 0xffffffffn),
    w3: Number(b & 0xffffffffn),
    length: p.length,
  };
}

/** Like prefixToWords but returns null instead of throwing. */
export function tryPrefixToWords(prefix: string, allowHostBits = false): PrefixWords | null {
  try {
    return prefixToWords(prefix, allowHostBits);
  } catch (err) {
    if (err instanceof PrefixError) return null;
    throw err;
  }
}

/** The last address of a prefix in the same word layout (host bits all one). */
export function lastAddressWords(p: PrefixWords): [number, number, number, number] {
  const out: [number, number, number, number] = [p.w0, p.w1, p.w2, p.w3];
  const words = p.family === 4 ? 1 : 4;
  for (let k = 0; k < words; k++) {
    const keep = p.length - k * 32;
    if (keep >= 32) continue;
    const hostMask = keep <= 0 ? 0xffffffff : 0xffffffff >>> keep;
    out[k] = (out[k]! | hostMask) >>> 0;
  }
  return out;
}
