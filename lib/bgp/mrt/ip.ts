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

export interface DecodedPrefix {
  text: string;
  hostBitsSet: boolean;
}

/**
 * Prefix of `bits` length whose ceil(bits/8) significant bytes start at b[o]. Bits after
 * `bits` are zeroed (a router installs the masked route) and reported.
 */
export function prefixAt(b: Uint8Array, o: number, bits: number, afi: number): DecodedPrefix {
  const n = (bits + 7) >> 3;
  let hostBitsSet = false;
  if (afi !== 2) {
    let a0 = n > 0 ? b[o]! : 0;
    let a1 = n > 1 ? b[o + 1]! : 0;
    let a2 = n > 2 ? b[o + 2]! : 0;
    let a3 = n > 3 ? b[o + 3]! : 0;
    const rem = bits & 7;
    if (rem !== 0) {
      const mask = (0xff << (8 - rem)) & 0xff;
      const last = n - 1;
      const v = last === 0 ? a0 : last === 1 ? a1 : last === 2 ? a2 : a3;
      if ((v & ~mask) !== 0) {
        hostBitsSet = true;
        if (last === 0) a0 &= mask;
        else if (last === 1) a1 &= mask;
        else if (last === 2) a2 &= mask;
        else a3 &= mask;
      }
    }
    return { text: `${a0}.${a1}.${a2}.${a3}/${bits}`, hostBitsSet };
  }
  scratch.fill(0);
  for (let i = 0; i < n; i++) scratch[i] = b[o + i]!;
  const rem = bits & 7;
  if (rem !== 0) {
    const mask = (0xff << (8 - rem)) & 0xff;
    const v = scratch[n - 1]!;
    if ((v & ~mask) !== 0) {
      hostBitsSet = true;
      scratch[n - 1] = v & mask;
    }
  }
  return { text: `${ipv6At(scratch, 0)}/${bits}`, hostBitsSet };
}
