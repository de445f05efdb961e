import { describe, expect, it } from 'vitest';
import { decodePdu, encodeErrorReport, encodeResetQuery, encodeSerialQuery, PduFramer, RtrProtocolError } from '@/lib/rpki/rtr/pdu';
import { RtrSession } from '@/lib/rpki/rtr/session';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Byte strings from PROTOCOLS.md §5.1 (captured from stayrtr / RFC examples).
const IPV4 = '01 04 0000 00000014 01 18 18 00 01000000 00003417';
const IPV6 = '01 06 0000 00000020 01 1d 30 00 20010610000000000000000000000000 0000044f';
const EOD_V1 = '01 07 bb1a 00000018 00000000 00000e10 00000258 00001c20';

describe('RTR PDU codec', () => {
  it('encodes the router queries', () => {
    expect(encodeResetQuery(1).toString('hex')).toBe('0102000000000008');
    expect(encodeSerialQuery(1, 0xbb1a, 7).toString('hex')).toBe('0101bb1a0000000c00000007');
  });

  it('decodes prefix, End of Data, ASPA and Error Report PDUs', () => {
    expect(decodePdu(hex(IPV4))).toEqual({ type: 'prefix', version: 1, announce: true, family: 4, prefixLength: 24, maxLength: 24, words: [0x01000000, 0, 0, 0], asn: 13335 });
    expect(decodePdu(hex(IPV6))).toMatchObject({ family: 6, prefixLength: 29, maxLength: 48, words: [0x20010610, 0, 0, 0], asn: 1103 });
    expect(decodePdu(hex(EOD_V1))).toEqual({ type: 'end_of_data', version: 1, sessionId: 0xbb1a, serial: 0, refresh: 3600, retry: 600, expire: 7200 });
    expect(decodePdu(hex('00 07 bb1a 0000000c 00000005'))).toMatchObject({ version: 0, serial: 5, refresh: null });
    expect(decodePdu(hex('02 0b 0000 00000020 01 00 0004 00003cca 00000b62 0000205b 0000c790 0003259e'))).toEqual({
      type: 'aspa', version: 2, announce: true, customerAsn: 15562, providers: [2914, 8283, 51088, 206238],
    });
    const err = encodeErrorReport(1, 2, null, 'No data available');
    expect(decodePdu(err)).toMatchObject({ type: 'error_report', code: 2, text: 'No data available' });
  });

  it('rejects malformed PDUs with an error code', () => {
    expect(() => decodePdu(hex('01 04 0000 00000014 01 19 18 00 01000000 00003417'))).toThrow(/maxLength 24/);
    expect(() => decodePdu(hex('01 04 0000 00000010 01 18 18 00 01000000'))).toThrow(RtrProtocolError);
    expect(() => decodePdu(hex('01 63 0000 00000008'))).toThrow(/unknown PDU type 99/);
    expect(() => decodePdu(hex('07 02 0000 00000008'))).toThrow(/version 7/);
  });

  it('frames PDUs across arbitrary chunk boundaries', () => {
    const stream = Buffer.concat([hex('01 03 bb1a 00000008'), hex(IPV4), hex(IPV6), hex(EOD_V1)]);
    for (const size of [1, 3, 7, 8, 13, stream.length]) {
      const framer = new PduFramer();
      const got: string[] = [];
      for (let off = 0; off < stream.length; off += size) for (const p of framer.push(stream.subarray(off, off + size))) got.push(decodePdu(p).type);
      expect(got).toEqual(['cache_response', 'prefix', 'prefix', 'end_of_data']);
      expect(framer.pending).toBe(0);
    }
  });

  it('treats an impossible length as framing damage', () => {
    expect(() => new PduFramer().push(hex('01 04 0000 00000003'))).toThrow(/length 3/);
    expect(() => new PduFramer().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(RtrProtocolError);
  });
});

describe('RtrSession', () => {
  const announce = (prefix: string, len: number, max: number, asn: number, on = true) => {
    const b = hex(IPV4);
    b.writeUInt8(on ? 1 : 0, 8);
    b.writeUInt8(len, 9);
    b.writeUInt8(max, 10);
    b.writeUInt32BE(prefix.split('.').reduce((a, o) => a * 256 + Number(o), 0), 12);
    b.writeUInt32BE(asn, 16);
    return decodePdu(b);
  };
  const eod = (serial: number) => ({ type: 'end_of_data' as const, version: 1, sessionId: 7, serial, refresh: 60, retry: 10, expire: 600 });

  it('applies a reset transfer at End of Data, then a serial delta', () => {
    const s = new RtrSession(1);
    expect(s.nextQuery()).toEqual(encodeResetQuery(1));
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    s.handle(announce('10.0.0.0', 8, 8, 1));
    s.handle(announce('11.0.0.0', 8, 16, 2));
    expect(s.vrpCount).toBe(0); // nothing applied before End of Data
    expect(s.handle(eod(1))).toMatchObject({ kind: 'end_of_data', reset: true, announced: 2, serial: 1 });
    expect(s.vrpCount).toBe(2);
    expect(s.nextQuery()).toEqual(encodeSerialQuery(1, 7, 1));
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    s.handle(announce('10.0.0.0', 8, 8, 1, false));
    s.handle(announce('12.0.0.0', 8, 8, 3));
    expect(s.handle(eod(2))).toMatchObject({ reset: false, announced: 1, withdrawn: 1 });
    expect(s.currentVrps().map((v) => v.prefix).sort()).toEqual(['11.0.0.0/8', '12.0.0.0/8']);
  });

  it('flags withdrawals of unknown records and duplicate announcements', () => {
    const s = new RtrSession(1);
    s.nextQuery();
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    expect(() => s.handle(announce('10.0.0.0', 8, 8, 1, false))).toThrow(/withdrawal of unknown/);
    s.handle(announce('10.0.0.0', 8, 8, 1));
    expect(() => s.handle(announce('10.0.0.0', 8, 8, 1))).toThrow(/duplicate/);
  });

  it('keeps its set through an aborted transfer and after Cache Reset', () => {
    const s = new RtrSession(1);
    s.nextQuery();
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    s.handle(announce('10.0.0.0', 8, 8, 1));
    s.handle(eod(1));
    s.nextQuery();
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    s.handle(announce('10.0.0.0', 8, 8, 1, false));
    s.abortTransfer();
    expect(s.vrpCount).toBe(1);
    expect(s.handle({ type: 'cache_reset', version: 1 })).toEqual({ kind: 'cache_reset' });
    expect(s.nextQuery()).toEqual(encodeResetQuery(1));
    expect(s.vrpCount).toBe(1);
  });
});

describe('RtrSession after an Error Report', () => {
  it('answers a failed Serial Query with a Reset Query next time, keeping its data', () => {
    const s = new RtrSession(1);
    s.nextQuery();
    s.handle({ type: 'cache_response', version: 1, sessionId: 7 });
    s.handle({ type: 'end_of_data', version: 1, sessionId: 7, serial: 4, refresh: 1, retry: 1, expire: 600 });
    expect(s.nextQuery()).toEqual(encodeSerialQuery(1, 7, 4));
    s.handle({ type: 'error_report', version: 1, code: 0, text: 'Session ID mismatch', encapsulated: Buffer.alloc(0) });
    expect(s.nextQuery()).toEqual(encodeResetQuery(1));
  });
});
