// RTR PDUs (RFC 6810 v0, RFC 8210 v1, draft-ietf-sidrops-8210bis v2 ASPA): encoding of what the
// router sends, decoding of what the cache sends, and a framer robust to partial TCP reads. Pure.

export const PDU = {
  serialNotify: 0,
  serialQuery: 1,
  resetQuery: 2,
  cacheResponse: 3,
  ipv4Prefix: 4,
  ipv6Prefix: 6,
  endOfData: 7,
  cacheReset: 8,
  routerKey: 9,
  errorReport: 10,
  aspa: 11,
} as const;

export const RTR_ERROR = {
  corruptData: 0,
  internalError: 1,
  noDataAvailable: 2,
  invalidRequest: 3,
  unsupportedVersion: 4,
  unsupportedPduType: 5,
  withdrawalOfUnknownRecord: 6,
  duplicateAnnouncement: 7,
  unexpectedVersion: 8,
} as const;

export type RtrVersion = 0 | 1 | 2;

/** Largest PDU we accept: an Error Report quoting a PDU plus text, or an ASPA with many providers. */
export const MAX_PDU_BYTES = 64 * 1024;

export type Pdu =
  | { type: 'serial_notify'; version: number; sessionId: number; serial: number }
  | { type: 'cache_response'; version: number; sessionId: number }
  | { type: 'prefix'; version: number; announce: boolean; family: 4 | 6; prefixLength: number; maxLength: number; words: [number, number, number, number]; asn: number }
  | { type: 'end_of_data'; version: number; sessionId: number; serial: number; refresh: number | null; retry: number | null; expire: number | null }
  | { type: 'cache_reset'; version: number }
  | { type: 'router_key'; version: number; announce: boolean }
  | { type: 'error_report'; version: number; code: number; text: string; encapsulated: Buffer }
  | { type: 'aspa'; version: number; announce: boolean; customerAsn: number; providers: number[] }
  | { type: 'serial_query' | 'reset_query'; version: number };

export class RtrProtocolError extends Error {
  override name = 'RtrProtocolError';
  constructor(
    message: string,
    /** The RTR error code to report back to the cache. */
    readonly code: number,
    /** The offending PDU bytes, when known (quoted in our Error Report). */
    readonly pdu: Buffer | null = null,
  ) {
    super(message);
  }
}

export function encodeResetQuery(version: RtrVersion): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(version, 0);
  b.writeUInt8(PDU.resetQuery, 1);
  b.writeUInt32BE(8, 4);
  return b;
}

export function encodeSerialQuery(version: RtrVersion, sessionId: number, serial: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(version, 0);
  b.writeUInt8(PDU.serialQuery, 1);
  b.writeUInt16BE(sessionId, 2);
  b.writeUInt32BE(12, 4);
  b.writeUInt32BE(serial >>> 0, 8);
  return b;
}

export function encodeErrorReport(version: RtrVersion, code: number, pdu: Buffer | null, text: string): Buffer {
  const quoted = pdu ?? Buffer.alloc(0);
  const msg = Buffer.from(text, 'utf8');
  const len = 8 + 4 + quoted.length + 4 + msg.length;
  const b = Buffer.alloc(len);
  b.writeUInt8(version, 0);
  b.writeUInt8(PDU.errorReport, 1);
  b.writeUInt16BE(code, 2);
  b.writeUInt32BE(len, 4);
  b.writeUInt32BE(quoted.length, 8);
  quoted.copy(b, 12);
  b.writeUInt32BE(msg.length, 12 + quoted.length);
  msg.copy(b, 16 + quoted.length);
  return b;
}

function expectLength(buf: Buffer, want: number, what: string): void {
  if (buf.length !== want) throw new RtrProtocolError(`${what} PDU of length ${buf.length}, expected ${want}`, RTR_ERROR.corruptData, buf);
}

/** Decodes one complete PDU (header included). Throws RtrProtocolError. */
export function decodePdu(buf: Buffer): Pdu {
  const version = buf.readUInt8(0);
  const type = buf.readUInt8(1);
  const field = buf.readUInt16BE(2);
  if (version > 2) throw new RtrProtocolError(`unsupported protocol version ${version}`, RTR_ERROR.unsupportedVersion, buf);
  switch (type) {
    case PDU.serialNotify:
      expectLength(buf, 12, 'Serial Notify');
      return { type: 'serial_notify', version, sessionId: field, serial: buf.readUInt32BE(8) };
    case PDU.cacheResponse:
      expectLength(buf, 8, 'Cache Response');
      return { type: 'cache_response', version, sessionId: field };
    case PDU.ipv4Prefix:
    case PDU.ipv6Prefix: {
      const family = type === PDU.ipv4Prefix ? 4 : 6;
      expectLength(buf, family === 4 ? 20 : 32, `IPv${family} Prefix`);
      const prefixLength = buf.readUInt8(9);
      const maxLength = buf.readUInt8(10);
      const width = family === 4 ? 32 : 128;
      if (prefixLength > width || maxLength > width || maxLength < prefixLength) {
        throw new RtrProtocolError(`IPv${family} Prefix with length ${prefixLength} and maxLength ${maxLength}`, RTR_ERROR.corruptData, buf);
      }
      const words: [number, number, number, number] =
        family === 4 ? [buf.readUInt32BE(12), 0, 0, 0] : [buf.readUInt32BE(12), buf.readUInt32BE(16), buf.readUInt32BE(20), buf.readUInt32BE(24)];
      const asn = buf.readUInt32BE(family === 4 ? 16 : 28);
      return { type: 'prefix', version, announce: (buf.readUInt8(8) & 1) === 1, family, prefixLength, maxLength, words, asn };
    }
    case PDU.endOfData:
      if (version === 0) {
        expectLength(buf, 12, 'End of Data');
        return { type: 'end_of_data', version, sessionId: field, serial: buf.readUInt32BE(8), refresh: null, retry: null, expire: null };
      }
      expectLength(buf, 24, 'End of Data');
      return {
        type: 'end_of_data',
        version,
        sessionId: field,
        serial: buf.readUInt32BE(8),
        refresh: buf.readUInt32BE(12),
        retry: buf.readUInt32BE(16),
        expire: buf.readUInt32BE(20),
      };
    case PDU.cacheReset:
      expectLength(buf, 8, 'Cache Reset');
      return { type: 'cache_reset', version };
    case PDU.routerKey:
      if (version === 0) throw new RtrProtocolError('Router Key PDU in version 0', RTR_ERROR.unsupportedPduType, buf);
      return { type: 'router_key', version, announce: (buf.readUInt8(2) & 1) === 1 };
    case PDU.errorReport: {
      if (buf.length < 16) throw new RtrProtocolError('Error Report too short', RTR_ERROR.corruptData, buf);
      const encLen = buf.readUInt32BE(8);
      if (12 + encLen + 4 > buf.length) throw new RtrProtocolError('Error Report with a bad encapsulated length', RTR_ERROR.corruptData, buf);
      const textLen = buf.readUInt32BE(12 + encLen);
      if (16 + encLen + textLen !== buf.length) throw new RtrProtocolError('Error Report with a bad text length', RTR_ERROR.corruptData, buf);
      const text = buf.subarray(16 + encLen, 16 + encLen + textLen).toString('utf8').replace(/\0+$/, '');
      return { type: 'error_report', version, code: field, text, encapsulated: Buffer.from(buf.subarray(12, 12 + encLen)) };
    }
    case PDU.aspa: {
      if (version < 2) throw new RtrProtocolError(`ASPA PDU in version ${version}`, RTR_ERROR.unsupportedPduType, buf);
      if (buf.length < 12) throw new RtrProtocolError('ASPA PDU too short', RTR_ERROR.corruptData, buf);
      const announce = (buf.readUInt8(8) & 1) === 1;
      const count = buf.readUInt16BE(10);
      // Draft layout: flags(1) zero(1) provider_count(2) customer(4) providers(4×n).
      if (buf.length !== 16 + 4 * count) throw new RtrProtocolError('ASPA PDU length does not match its provider count', RTR_ERROR.corruptData, buf);
      const providers: number[] = [];
      for (let k = 0; k < count; k++) providers.push(buf.readUInt32BE(16 + 4 * k));
      return { type: 'aspa', version, announce, customerAsn: buf.readUInt32BE(12), providers };
    }
    case PDU.serialQuery:
      return { type: 'serial_query', version };
    case PDU.resetQuery:
      return { type: 'reset_query', version };
    default:
      throw new RtrProtocolError(`unknown PDU type ${type}`, RTR_ERROR.unsupportedPduType, buf);
  }
}

/**
 * Accumulates bytes from the socket and returns complete PDUs. A length outside 8..MAX_PDU_BYTES
 * is unrecoverable framing damage: it throws and the connection must be dropped.
 */
export class PduFramer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    let off = 0;
    while (this.buf.length - off >= 8) {
      const len = this.buf.readUInt32BE(off + 4);
      if (len < 8 || len > MAX_PDU_BYTES) {
        const head = Buffer.from(this.buf.subarray(off, off + 8));
        this.buf = Buffer.alloc(0);
        throw new RtrProtocolError(`PDU length ${len} out of range`, RTR_ERROR.corruptData, head);
      }
      if (this.buf.length - off < len) break;
      out.push(this.buf.subarray(off, off + len));
      off += len;
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    return out;
  }

  /** Bytes held of an incomplete PDU. */
  get pending(): number {
    return this.buf.length;
  }
}
