// One whole MRT record → items. Pure. A record whose content is invalid (framing intact) yields
// nothing and is reported through onSkip; decoding goes on with the next record.

import { decodeBgp4mp, decodeLegacyBgp } from '@/lib/bgp/mrt/bgp4mp';
import { MrtRecordError } from '@/lib/bgp/mrt/errors';
import { decodeTableDump, decodeTableDumpV2, type TableDumpState } from '@/lib/bgp/mrt/table-dump';
import { MRT_TYPE, type MrtItem, type MrtRecordInfo, type MrtSkipHandler, type MrtWarn } from '@/lib/bgp/mrt/types';

export interface DecoderState extends TableDumpState {
  onSkip: MrtSkipHandler | undefined;
  warn: MrtWarn;
  keepRaw: boolean;
}

const ignore: MrtWarn = () => undefined;

export function createDecoderState(onSkip?: MrtSkipHandler, onWarn?: MrtWarn, keepRaw = false): DecoderState {
  return { peers: null, onSkip, warn: onWarn ?? ignore, keepRaw };
}

/**
 * Decodes the record (header included) at rec[s, end), found at `byteOffset` as record number
 * `index`, appending to `out`. Offsets instead of a Buffer view per record: the reader's hot path.
 */
export function decodeRecordAt(rec: Buffer, s: number, end: number, index: number, byteOffset: number, state: DecoderState, out: MrtItem[]): void {
  const ts = ((rec[s]! << 24) | (rec[s + 1]! << 16) | (rec[s + 2]! << 8) | rec[s + 3]!) >>> 0;
  const type = (rec[s + 4]! << 8) | rec[s + 5]!;
  const subtype = (rec[s + 6]! << 8) | rec[s + 7]!;
  const info: MrtRecordInfo = { index, byteOffset, type, subtype, length: end - s - 12, raw: state.keepRaw ? rec.toString('hex', s, end) : null };
  const before = out.length;
  try {
    switch (type) {
      case MRT_TYPE.BGP4MP:
        out.push(decodeBgp4mp(rec, s + 12, end, info, ts * 1e6, state.warn));
        break;
      case MRT_TYPE.BGP4MP_ET: {
        // The microsecond field counts in the declared length (RFC 6396 §3).
        if (end - s < 16) throw new MrtRecordError('BGP4MP_ET record shorter than its microsecond field');
        const us = ((rec[s + 12]! << 24) | (rec[s + 13]! << 16) | (rec[s + 14]! << 8) | rec[s + 15]!) >>> 0;
        if (us > 999_999) throw new MrtRecordError(`BGP4MP_ET microseconds ${us} out of range`);
        out.push(decodeBgp4mp(rec, s + 16, end, info, ts * 1e6 + us, state.warn));
        break;
      }
      case MRT_TYPE.TABLE_DUMP_V2:
        decodeTableDumpV2(rec, s + 12, end, info, ts * 1e6, state, out);
        break;
      case MRT_TYPE.TABLE_DUMP:
        decodeTableDump(rec, s + 12, end, info, ts * 1e6, out);
        break;
      case MRT_TYPE.BGP:
        out.push(decodeLegacyBgp(rec, s + 12, end, info, ts * 1e6, state.warn));
        break;
      default:
        out.push({ kind: 'other', record: info, note: `MRT type ${type} subtype ${subtype} not decoded` });
    }
  } catch (err) {
    out.length = before;
    // Anything thrown while decoding one framed record stays local to that record.
    const reason = err instanceof MrtRecordError ? err.message : `decoder error: ${err instanceof Error ? err.message : String(err)}`;
    state.onSkip?.(info, reason);
  }
}
