// Cuts a stream of byte chunks into whole MRT records (12-byte header + declared body). Pure and
// synchronous: the reader pushes chunks and pulls records. A record that spans chunks is joined
// once, when all its bytes are there, so a huge record costs one copy, not one per chunk.

import { MrtParseError } from '@/lib/bgp/mrt/errors';

export const MRT_HEADER_BYTES = 12;
/**
 * Largest record accepted. Real records stay far below (a RIB record of a prefix seen by 2,000
 * peers is ~0.5 MB); a larger declared length means the framing is broken, and waiting for it
 * would buffer the rest of the file.
 */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

export class MrtFramer {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private more: Buffer[] = [];
  private moreLen = 0;
  /** Offset (in the whole stream) of the next record to be returned. */
  offset = 0;
  /** Index of the next record to be returned. */
  index = 0;

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length && this.more.length === 0) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.more.push(chunk);
      this.moreLen += chunk.length;
    }
  }

  /**
   * The next whole record (a view into the input, header included), or null when more input is
   * needed. Throws MrtParseError when the declared length is implausible.
   */
  next(): Buffer | null {
    const start = this.nextAt();
    return start < 0 ? null : this.buf.subarray(start, this.pos);
  }

  /** The buffer holding the record returned by nextAt() (valid until the next push or nextAt). */
  get current(): Buffer {
    return this.buf;
  }

  /**
   * Like next(), without creating a Buffer view per record (the reader's hot path): returns the
   * record's start in `current` (it ends at `currentEnd`), or -1 when more input is needed.
   */
  nextAt(): number {
    if (this.buf.length - this.pos < MRT_HEADER_BYTES && !this.fill(MRT_HEADER_BYTES)) return -1;
    const b = this.buf;
    const p = this.pos;
    const length = ((b[p + 8]! << 24) | (b[p + 9]! << 16) | (b[p + 10]! << 8) | b[p + 11]!) >>> 0;
    if (length > this.maxRecordBytes) {
      throw new MrtParseError(`record declares ${length} body bytes (limit ${this.maxRecordBytes}): framing is broken`, this.offset, this.index);
    }
    const total = MRT_HEADER_BYTES + length;
    if (this.buf.length - this.pos < total) {
      if (!this.fill(total)) return -1;
    }
    const start = this.pos;
    this.pos += total;
    this.offset += total;
    this.index++;
    return start;
  }

  /** End (exclusive) in `current` of the record returned by nextAt(). */
  get currentEnd(): number {
    return this.pos;
  }

  /** Called at the end of input: throws MrtParseError when bytes of an incomplete record remain. */
  end(): void {
    const left = this.buf.length - this.pos + this.moreLen;
    if (left === 0) return;
    if (left < MRT_HEADER_BYTES) {
      throw new MrtParseError(`input ends inside a record header (${left} of ${MRT_HEADER_BYTES} bytes)`, this.offset, this.index);
    }
    this.fill(MRT_HEADER_BYTES);
    const b = this.buf;
    const p = this.pos;
    const length = ((b[p + 8]! << 24) | (b[p + 9]! << 16) | (b[p + 10]! << 8) | b[p + 11]!) >>> 0;
    throw new MrtParseError(`input ends inside a record: ${length} body bytes declared, ${left - MRT_HEADER_BYTES} present (truncated)`, this.offset, this.index);
  }

  private fill(n: number): boolean {
    if (this.buf.length - this.pos + this.moreLen < n) return false;
    this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.more]);
    this.pos = 0;
    this.more = [];
    this.moreLen = 0;
    return true;
  }
}
