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

const scratch = new Uint8Array(16);

/** True when the prefix of `bits` length at b[o] has non-zero bits after `bits`. */
export function hostBitsSetAt(b: Uint8Array, o: number, bits: number): boolean {
  const rem = bits & 7;
  if (rem === 0) return false;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (b[o + (bits >> 3)]! & ~mask) !== 0;
}

/**
 * Text of the prefix of `bits` length whose ceil(bits/8) significant bytes start at b[o]. Bits
 * after `bits` are zeroed (a router installs the masked route); see hostBitsSetAt.
 */
export function prefixText(b: Uint8Array, o: number, bits: number, afi: number): string {
  const n = (bits + 7) >> 3;
  const rem = bits & 7;
  const mask = rem === 0 ? 0xff : (0xff << (8 - rem)) & 0xff;
  if (afi !== 2) {
    const a0 = n > 0 ? b[o]! & (n === 1 ? mask : 0xff) : 0;
    const a1 = n > 1 ? b[o + 1]! & (n === 2 ? mask : 0xff) : 0;
    const a2 = n > 2 ? b[o + 2]! & (n === 3 ? mask : 0xff) : 0;
    const a3 = n > 3 ? b[o + 3]! & mask : 0;
    return `${a0}.${a1}.${a2}.${a3}/${bits}`;
  }
  scratch.fill(0);
  for (let i = 0; i < n; i++) scratch[i] = b[o + i]!;
  if (n > 0) scratch[n - 1] = scratch[n - 1]! & mask;
  return `${ipv6At(scratch, 0)}/${bits}`;
}
