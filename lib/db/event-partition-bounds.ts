// Pure arithmetic for the hourly partitions of bgp_events: which hours a time range touches and
// what each partition is called. Names are the UTC hour, so they sort in time order and
// dropExpiredEventPartitions can read a partition's range back from its name.

export const EVENTS_TABLE = 'bgp_events';
export const HOUR_US = 3_600_000_000;
const NAME_RE = /^bgp_events_p(\d{4})(\d{2})(\d{2})(\d{2})$/;

export interface EventPartitionBounds {
  name: string;
  /** Inclusive lower bound, µs since the epoch (a whole UTC hour). */
  fromUs: number;
  /** Exclusive upper bound, µs. */
  toUs: number;
}

/** Index of the UTC hour containing `us` (hours since the epoch; negative before 1970). */
export function hourIndexOf(us: number): number {
  return Math.floor(us / HOUR_US);
}

export function partitionForHour(hourIndex: number): EventPartitionBounds {
  const fromUs = hourIndex * HOUR_US;
  const iso = new Date(fromUs / 1000).toISOString(); // YYYY-MM-DDTHH:...
  const name = `${EVENTS_TABLE}_p${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}`;
  return { name, fromUs, toUs: fromUs + HOUR_US };
}

/** Every hourly partition that rows with event times in [fromUs, toUs] need. */
export function partitionsForRange(fromUs: number, toUs: number): EventPartitionBounds[] {
  if (!Number.isFinite(fromUs) || !Number.isFinite(toUs)) throw new RangeError('partition range must be finite');
  if (toUs < fromUs) throw new RangeError(`partition range is reversed: ${fromUs} > ${toUs}`);
  const out: EventPartitionBounds[] = [];
  for (let h = hourIndexOf(fromUs); h <= hourIndexOf(toUs); h++) out.push(partitionForHour(h));
  return out;
}

/** Bounds of a partition from its name; null for a table that is not one of ours. */
export function parsePartitionName(name: string): EventPartitionBounds | null {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  if (!Number.isFinite(ms)) return null;
  const bounds = partitionForHour(hourIndexOf(ms * 1000));
  return bounds.name === name ? bounds : null; // rejects e.g. month 13, which Date.UTC rolls over
}
