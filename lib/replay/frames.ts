// Input lines → replayable messages, and messages → the text each client receives.
// Pure. A recording line is a server frame ({"type":"ris_message","data":{...}}) or a bare data
// object; the original text is forwarded verbatim whenever nothing about it has to change.

export interface ReplayMessage {
  data: Record<string, unknown>;
  /** Event time of the message (data.timestamp) in ms. */
  timestampMs: number;
  /** The input line, when it is a complete ris_message frame that can be sent as is. */
  verbatim: string | null;
  hasRaw: boolean;
  /** Serialized frames, built at most once per variant and shared by every client. */
  withRaw?: string;
  withoutRaw?: string;
}

export type InputLine = { kind: 'message'; message: ReplayMessage } | { kind: 'skip'; reason: string } | { kind: 'malformed'; reason: string };

const OTHER_SERVER_FRAMES = new Set(['ris_error', 'ris_subscribe_ok', 'ris_rrc_list', 'pong']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseInputLine(text: string): InputLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'malformed', reason: `invalid JSON: ${(err as Error).message.slice(0, 100)}` };
  }
  if (!isObj(value)) return { kind: 'malformed', reason: 'not a JSON object' };
  let data: Record<string, unknown>;
  let verbatim: string | null = null;
  if (value.type === 'ris_message') {
    if (!isObj(value.data)) return { kind: 'malformed', reason: 'ris_message without a data object' };
    data = value.data;
    verbatim = text.trim();
  } else if (typeof value.type === 'string' && OTHER_SERVER_FRAMES.has(value.type)) {
    // A recording may contain the server's answers to the recorder; they are not feed messages.
    return { kind: 'skip', reason: `${value.type} frame` };
  } else {
    data = value; // bare data object
  }
  const ts = data.timestamp;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) return { kind: 'malformed', reason: 'missing or invalid timestamp' };
  if (typeof data.type !== 'string') return { kind: 'malformed', reason: 'missing message type' };
  return {
    kind: 'message',
    message: { data, timestampMs: Math.round(ts * 1000), verbatim, hasRaw: data.raw !== undefined },
  };
}

/** The frame text for a client that did (or did not) ask for `raw`. Cached on the message. */
export function frameFor(msg: ReplayMessage, includeRaw: boolean): string {
  if (!msg.hasRaw || includeRaw) {
    if (msg.verbatim !== null) return msg.verbatim;
    msg.withRaw ??= JSON.stringify({ type: 'ris_message', data: msg.data });
    return msg.withRaw;
  }
  if (msg.withoutRaw === undefined) {
    const { raw: _raw, ...rest } = msg.data;
    msg.withoutRaw = JSON.stringify({ type: 'ris_message', data: rest });
  }
  return msg.withoutRaw;
}

const HEX_ID = /^(.*)-([0-9a-fA-F]{16})$/;
const U64 = (1n << 64n) - 1n;

/**
 * Moves a message to a new event time (retime). Ids of the 2026 form "<peer>-<16 hex>" carry the
 * collector's ms clock in their upper bits, so they are shifted by the same amount (and stay
 * unique and sortable); other id forms get a "-r<pass>" suffix after the first pass.
 */
export function retimeMessage(msg: ReplayMessage, newTimestampMs: number, pass: number): ReplayMessage {
  const shift = newTimestampMs - msg.timestampMs;
  const data: Record<string, unknown> = { ...msg.data, timestamp: newTimestampMs / 1000 };
  if (typeof data.id === 'string') {
    const m = HEX_ID.exec(data.id);
    if (m) {
      const value = (BigInt(`0x${m[2]}`) + (BigInt(shift) << 20n)) & U64;
      data.id = `${m[1]}-${value.toString(16).padStart(16, '0')}`;
    } else if (pass > 0) {
      data.id = `${data.id}-r${pass}`;
    }
  }
  return { data, timestampMs: newTimestampMs, verbatim: null, hasRaw: msg.hasRaw };
}
