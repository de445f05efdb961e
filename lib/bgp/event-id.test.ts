import { describe, expect, it } from 'vitest';
import { formatEventId, parseEventIdParts } from '@/lib/bgp/event-id';

describe('event ids', () => {
  it('round-trips time and signed 64-bit key', () => {
    for (const [t, k] of [[1787141896080123, '-9223372036854775808'], [0, '0'], [1558620047060000, '9223372036854775807']] as const) {
      expect(parseEventIdParts(formatEventId(t, k))).toEqual({ timestampUs: t, dedupKey: k });
    }
  });

  it('rejects what it did not produce', () => {
    for (const bad of ['', '12', '12_', '_5', '1.5_3', '12_9223372036854775808', '12_-9223372036854775809', '12_3 ', 'a_1', '123456789012345678_1']) {
      expect(parseEventIdParts(bad), bad).toBeNull();
    }
  });

  it('normalises a key with leading zeros so lookups match the stored value', () => {
    expect(parseEventIdParts('5_007')).toEqual({ timestampUs: 5, dedupKey: '7' });
  });
});
