// Lines of an NDJSON recording, streamed: a file is read chunk by chunk (never loaded whole) and a
// line longer than `maxLineBytes` is reported and discarded without being buffered, so one giant
// or truncated line cannot exhaust memory.

import { createReadStream } from 'node:fs';

export type SourceLine = { kind: 'line'; text: string } | { kind: 'too_long'; bytes: number };

const NEWLINE = 0x0a;

function decode(parts: Buffer[], total: number): string {
  const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0d) end--; // CRLF files
  return buf.toString('utf8', 0, end);
}

export async function* fileLines(file: string, maxLineBytes: number): AsyncGenerator<SourceLine, void, undefined> {
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  let parts: Buffer[] = [];
  let pending = 0;
  let discarding = false; // inside an over-long line: drop bytes until the next newline
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, from);
        const end = nl < 0 ? chunk.length : nl;
        const piece = chunk.subarray(from, end);
        if (!discarding) {
          if (pending + piece.length > maxLineBytes) {
            discarding = true;
            parts = [];
          } else if (piece.length > 0) {
            parts.push(piece);
          }
        }
        pending += piece.length;
        if (nl < 0) break;
        if (discarding) yield { kind: 'too_long', bytes: pending };
        else if (pending > 0) {
          const text = decode(parts, pending);
          if (text.trim() !== '') yield { kind: 'line', text };
        }
        parts = [];
        pending = 0;
        discarding = false;
        from = nl + 1;
      }
    }
    if (discarding) yield { kind: 'too_long', bytes: pending };
    else if (pending > 0) {
      const text = decode(parts, pending);
      if (text.trim() !== '') yield { kind: 'line', text };
    }
  } finally {
    stream.destroy();
  }
}

/** Lines from memory or a generator; each item is one line (blank ones are skipped). */
export async function* iterableLines(
  lines: AsyncIterable<string> | Iterable<string>,
  maxLineBytes: number,
): AsyncGenerator<SourceLine, void, undefined> {
  for await (const text of lines as AsyncIterable<string>) {
    if (typeof text !== 'string' || text.trim() === '') continue;
    // Byte length only matters near the limit (UTF-8 is at most 3 bytes per UTF-16 unit).
    const bytes = text.length * 3 > maxLineBytes ? Buffer.byteLength(text) : text.length;
    yield bytes > maxLineBytes ? { kind: 'too_long', bytes } : { kind: 'line', text };
  }
}
