// Opaque keyset cursor for listing events in (timestamp DESC, id DESC) order: the position of the
// last row of a page. base64url so it is URL-safe; validated on the way back in.

export class InvalidCursorError extends Error {
  constructor(message = 'cursor is not one returned by this API') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

export interface EventCursor {
  timestampUs: number;
  /** bigint id as a decimal string. */
  id: string;
}

export function encodeEventCursor(c: EventCursor): string {
  return Buffer.from(`${c.timestampUs}:${c.id}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(s: string): EventCursor {
  if (!/^[A-Za-z0-9_-]{1,96}$/.test(s)) throw new InvalidCursorError();
  const m = /^(-?\d{1,17}):(\d{1,19})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  if (!m) throw new InvalidCursorError();
  const timestampUs = Number(m[1]);
  if (!Number.isSafeInteger(timestampUs) || BigInt(m[2]!) > 9223372036854775807n) throw new InvalidCursorError();
  return { timestampUs, id: m[2]! };
}
