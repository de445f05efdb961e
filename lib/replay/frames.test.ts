import { describe, expect, it } from 'vitest';
import { frameFor, parseInputLine, retimeMessage, type ReplayMessage } from '@/lib/replay/frames';

const line =
  '{"type":"ris_message","data":{"timestamp":1787141896.080,"peer":"37.49.237.143","peer_asn":"50628","id":"37.49.237.143-01a019f537900000","host":"rrc21.ripe.net","type":"UPDATE","raw":"FFFF","path":[1,2]}}';

function message(text: string): ReplayMessage {
  const r = parseInputLine(text);
  if (r.kind !== 'message') throw new Error(r.reason);
  return r.message;
}

describe('parseInputLine', () => {
  it('accepts full frames and bare data objects', () => {
    const m = message(line);
    expect(m.timestampMs).toBe(1787141896080);
    expect(m.verbatim).toBe(line);
    expect(m.hasRaw).toBe(true);
    const bare = message('{"timestamp":1.5,"type":"KEEPALIVE","peer":"1.2.3.4"}');
    expect(bare.verbatim).toBeNull();
    expect(bare.timestampMs).toBe(1500);
  });

  it.each([
    ['not json', 'malformed', /invalid JSON/],
    ['[1,2]', 'malformed', /not a JSON object/],
    ['{"type":"ris_message"}', 'malformed', /data object/],
    ['{"type":"ris_message","data":{"type":"UPDATE"}}', 'malformed', /timestamp/],
    ['{"type":"ris_message","data":{"timestamp":"x","type":"UPDATE"}}', 'malformed', /timestamp/],
    ['{"type":"ris_message","data":{"timestamp":1}}', 'malformed', /type/],
    ['{"type":"ris_error","data":{"message":"x"}}', 'skip', /ris_error/],
    ['{"type":"pong","data":null}', 'skip', /pong/],
  ])('%s → %s', (text, kind, reason) => {
    const r = parseInputLine(text);
    expect(r.kind).toBe(kind);
    expect(r.kind !== 'message' && r.reason).toMatch(reason);
  });
});

describe('frameFor', () => {
  it('forwards the original text when nothing changes, strips raw otherwise', () => {
    const m = message(line);
    expect(frameFor(m, true)).toBe(line);
    const stripped = JSON.parse(frameFor(m, false));
    expect(stripped.type).toBe('ris_message');
    expect(stripped.data.raw).toBeUndefined();
    expect(stripped.data.path).toEqual([1, 2]);
    expect(frameFor(m, false)).toBe(frameFor(m, false)); // cached
  });
});

describe('retimeMessage', () => {
  it('moves the timestamp and shifts a 2026-style id by the same milliseconds', () => {
    const m = message(line);
    const r = retimeMessage(m, 1787141896080 + 1000, 0);
    expect(r.data.timestamp).toBe(1787141897.08);
    expect(r.data.id).toBe(`37.49.237.143-${(0x01a019f537900000n + (1000n << 20n)).toString(16).padStart(16, '0')}`);
    expect(frameFor(r, true)).not.toBe(line);
    expect(m.data.timestamp).toBe(1787141896.08); // original untouched
  });

  it('suffixes other id forms after the first pass', () => {
    const m = message('{"timestamp":1,"type":"UPDATE","id":"72.22.223.9-1553627987.89-1829343"}');
    expect(retimeMessage(m, 5000, 0).data.id).toBe('72.22.223.9-1553627987.89-1829343');
    expect(retimeMessage(m, 5000, 2).data.id).toBe('72.22.223.9-1553627987.89-1829343-r2');
  });
});
