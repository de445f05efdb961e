// Partition routing for detection (pure): every prefix goes to one of P partitions by its top bits
// (IPv4: first octet, IPv6: first 16 bits), so a prefix and all its more-specifics at or below
// that length share a partition and its route state, rule windows (bursts of more-specifics of one
// cover) and open anomalies stay in one process.
//
// A prefix shorter than the partition bits (IPv4 < /8, IPv6 < /16) covers several keys. The rules
// read the covering prefix only through the baselines (global, in every partition), never through
// another prefix's route state, so such a prefix is sent to ONE partition (its first covered key's)
// instead of to every partition it covers: a copy in each would open the same anomaly in each.
// `partitionsCovered` still lists all of them, for consumers that need the fan-out.

const V4_BITS = 8;
const V6_BITS = 16;

/** The partition key (top bits) of a canonical prefix "a.b.c.d/n" or "x:y::/n", and its length. */
export function partitionKey(prefix: string): { family: 4 | 6; key: number; length: number } {
  const slash = prefix.lastIndexOf('/');
  const length = Number(prefix.slice(slash + 1));
  const colon = prefix.indexOf(':');
  if (colon === -1) {
    const dot = prefix.indexOf('.');
    return { family: 4, key: Number(prefix.slice(0, dot === -1 ? slash : dot)) & 0xff, length };
  }
  // "::/0", "::ffff:…": an empty first group is zero.
  const first = prefix.slice(0, colon);
  return { family: 6, key: first === '' ? 0 : parseInt(first, 16) & 0xffff, length };
}

/** Mixes the key so neighbouring blocks (e.g. 2001:, 2a00:) spread over the partitions. */
function mix(family: 4 | 6, key: number): number {
  let h = Math.imul(key + (family === 6 ? 0x10000 : 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

export function partitionOfKey(family: 4 | 6, key: number, partitions: number): number {
  return mix(family, key) % partitions;
}

/** The one partition that owns a prefix (and every more-specific of it at or past the key length). */
export function partitionOf(prefix: string, partitions: number): number {
  if (partitions <= 1) return 0;
  const k = partitionKey(prefix);
  const bits = k.family === 4 ? V4_BITS : V6_BITS;
  // A short prefix: its first covered key (host bits are zero in canonical form).
  return partitionOfKey(k.family, k.length >= bits ? k.key : k.key & ~((1 << (bits - k.length)) - 1), partitions);
}

/** Every partition holding prefixes inside this one (just the owner for prefixes at or past the key length). */
export function partitionsCovered(prefix: string, partitions: number): number[] {
  if (partitions <= 1) return [0];
  const k = partitionKey(prefix);
  const bits = k.family === 4 ? V4_BITS : V6_BITS;
  if (k.length >= bits) return [partitionOfKey(k.family, k.key, partitions)];
  const span = 1 << (bits - k.length);
  const first = k.key & ~(span - 1);
  const out = new Set<number>();
  for (let key = first; key < first + span && out.size < partitions; key++) out.add(partitionOfKey(k.family, key, partitions));
  return [...out].sort((a, b) => a - b);
}

/** Splits items (in order) into one list per partition; order within a partition is kept. */
export function splitByPartition<T>(items: readonly T[], prefixOf: (item: T) => string, partitions: number): T[][] {
  const out: T[][] = Array.from({ length: partitions }, () => []);
  for (const it of items) out[partitionOf(prefixOf(it), partitions)]!.push(it);
  return out;
}
