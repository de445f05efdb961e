import { describe, expect, it } from 'vitest';
import { HOUR_US, parsePartitionName, partitionForHour, partitionsForRange } from '@/lib/db/event-partition-bounds';

const H = Date.UTC(2026, 10, 22, 23, 0, 0) * 1000;

describe('hourly partition bounds', () => {
  it('names partitions by UTC hour and covers a range inclusively', () => {
    expect(partitionsForRange(H + 5, H + HOUR_US).map((p) => p.name)).toEqual(['bgp_events_p2026112223', 'bgp_events_p2026112300']);
    expect(partitionsForRange(H, H + HOUR_US - 1)).toEqual([{ name: 'bgp_events_p2026112223', fromUs: H, toUs: H + HOUR_US }]);
  });
  it('round-trips names and rejects foreign or impossible ones', () => {
    const p = partitionForHour(Math.floor(H / HOUR_US));
    expect(parsePartitionName(p.name)).toEqual(p);
    expect(parsePartitionName('bgp_events_p2026131200')).toBeNull();
    expect(parsePartitionName('bgp_events_default')).toBeNull();
  });
  it('refuses reversed and non-finite ranges', () => {
    expect(() => partitionsForRange(H + 1, H)).toThrow(RangeError);
    expect(() => partitionsForRange(NaN, H)).toThrow(RangeError);
  });
});
