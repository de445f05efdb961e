// An event's public identity is its natural key: event time plus the dedup hash, which is
// exactly the table's primary key. Every writer (live collector, backfill) therefore knows an
// event's id without a round trip, and the table needs no sequence or extra index for it.

const EVENT_ID = /^(\d{1,17})_(-?\d{1,19})$/;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** "1787141896080000_-4125336920512214127" */
export function formatEventId(timestampUs: number, dedupKey: string): string {
  return `${timestampUs}_${dedupKey}`;
}

/** The parts of an id, or null when the text is not one this system produced. */
export function parseEventIdParts(id: string): { timestampUs: number; dedupKey: string } | null {
  const m = EVENT_ID.exec(id);
  if (!m) return null;
  const timestampUs = Number(m[1]);
  const key = BigInt(m[2]!);
  if (!Number.isSafeInteger(timestampUs) || key < INT64_MIN || key > INT64_MAX) return null;
  return { timestampUs, dedupKey: key.toString() };
}
