// Big-endian reads and bounds checks shared by the MRT decoders (small enough for V8 to inline).

import { MrtRecordError } from '@/lib/bgp/mrt/errors';

export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Throws when n bytes from offset o do not fit before `end`, naming what was being read. */
export function need(o: number, n: number, end: number, what: string): void {
  if (o + n > end) throw new MrtRecordError(`${what} runs past the end of the record`);
}
