// Opaque keyset cursor for listing events in (timestamp DESC, dedup_key DESC) order: the
// primary key of the last row of a page. base64url so it is URL-safe; validated on the way back in.

import { formatEventId, parseEventIdParts } from '@/lib/bgp/event-id';

export class InvalidCursorError extends Error {
  constructor(message = 'cursor is not one returned by this API') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

export interface EventCursor {
  timestampUs: number;
  /** Signed 64-bit dedup key as a decimal string. */
  dedupKey: string;
}

export function encodeEventCursor(c: EventCursor): string {
  return Buffer.from(formatEventId(c.timestampUs, c.dedupKey), 'utf8').toString('base64url');
}

export function decodeEventCursor(s: string): EventCursor {
  if (!/^[A-Za-z0-9_-]{1,96}$/.test(s)) throw new InvalidCursorError();
  const parts = parseEventIdParts(Buffer.from(s, 'base64url').toString('utf8'));
  if (!parts) throw new InvalidCursorError();
  return parts;
}
