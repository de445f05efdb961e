import { describe, expect, it } from 'vitest';
import { InvalidCursorError, decodeEventCursor, encodeEventCursor } from '@/lib/db/event-cursor';

describe('event cursor', () => {
  it('round-trips and is URL-safe', () => {
    const c = { timestampUs: 1787141896080123, dedupKey: '-9223372036854775808' };
    const s = encodeEventCursor(c);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeEventCursor(s)).toEqual(c);
  });
  it.each(['', 'a b', 'bm9wZQ', Buffer.from('1_x').toString('base64url'), Buffer.from('1_9223372036854775808').toString('base64url')])(
    'rejects %j',
    (s) => expect(() => decodeEventCursor(s)).toThrow(InvalidCursorError),
  );
});
