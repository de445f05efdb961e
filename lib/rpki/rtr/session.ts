// The router side of one RTR session, as a pure state machine: which query to send, how Prefix /
// ASPA PDUs accumulate between Cache Response and End of Data, and how the result is applied
// (a Reset replaces the set, a Serial delta patches it; both only at End of Data, so a session cut
// mid-transfer never leaves a half-applied set). The socket, timers and reconnects live in
// client.ts.

import { formatWordsPrefix } from '@/lib/rpki/prefix-format';
import { encodeResetQuery, encodeSerialQuery, RTR_ERROR, RtrProtocolError, type Pdu, type RtrVersion } from '@/lib/rpki/rtr/pdu';
import type { Aspa, Vrp } from '@/lib/rpki/types';

export interface EndOfDataResult {
  kind: 'end_of_data';
  /** true when the set was replaced (Reset Query), false for a Serial delta. */
  reset: boolean;
  announced: number;
  withdrawn: number;
  serial: number;
  sessionId: number;
  /** Seconds, from the v1+ End of Data (null in v0: the client keeps its defaults). */
  refresh: number | null;
  retry: number | null;
  expire: number | null;
}

export type SessionEvent =
  | { kind: 'none' }
  | EndOfDataResult
  /** The cache cannot serve a delta from our serial: send a Reset Query. */
  | { kind: 'cache_reset' }
  /** The cache has new data: send a Serial Query when idle. */
  | { kind: 'serial_notify'; serial: number }
  | { kind: 'error_report'; code: number; text: string };

export const vrpKey = (v: Vrp): string => `${v.prefix}|${v.maxLength}|${v.asn}`;

type Txn = { reset: boolean; sessionId: number; vrps: Map<string, Vrp | null>; aspas: Map<number, number[] | null>; announced: number; withdrawn: number };

export class RtrSession {
  private vrps = new Map<string, Vrp>();
  private aspas = new Map<number, number[]>();
  private txn: Txn | null = null;
  private queryKind: 'reset' | 'serial' | null = null;
  sessionId: number | null = null;
  serial: number | null = null;

  constructor(public version: RtrVersion) {}

  /** Serial Query when we hold data from this cache, else Reset Query. */
  nextQuery(): Buffer {
    if (this.sessionId !== null && this.serial !== null) {
      this.queryKind = 'serial';
      return encodeSerialQuery(this.version, this.sessionId, this.serial);
    }
    this.queryKind = 'reset';
    return encodeResetQuery(this.version);
  }

  /** Forget session and serial (after Cache Reset or a session mismatch); the data stays until the reset completes. */
  forgetSerial(): void {
    this.sessionId = null;
    this.serial = null;
  }

  /** Drop a transfer cut short by a lost connection. */
  abortTransfer(): void {
    this.txn = null;
    this.queryKind = null;
  }

  get busy(): boolean {
    return this.queryKind !== null;
  }

  currentVrps(): Vrp[] {
    return [...this.vrps.values()];
  }

  currentAspas(): Aspa[] {
    return [...this.aspas].map(([customerAsn, providers]) => ({ customerAsn, providers }));
  }

  get vrpCount(): number {
    return this.vrps.size;
  }

  /** Applies one PDU. Throws RtrProtocolError for a protocol violation (the caller reports it and reconnects). */
  handle(pdu: Pdu): SessionEvent {
    switch (pdu.type) {
      case 'serial_notify':
        return { kind: 'serial_notify', serial: pdu.serial };
      case 'cache_response': {
        if (this.queryKind === null) throw new RtrProtocolError('Cache Response without a query', RTR_ERROR.invalidRequest);
        const reset = this.queryKind === 'reset';
        if (!reset && pdu.sessionId !== this.sessionId) {
          this.forgetSerial();
          throw new RtrProtocolError(`session id changed from ${this.sessionId} to ${pdu.sessionId}`, RTR_ERROR.corruptData);
        }
        this.txn = { reset, sessionId: pdu.sessionId, vrps: new Map(), aspas: new Map(), announced: 0, withdrawn: 0 };
        return { kind: 'none' };
      }
      case 'prefix':
        this.applyPrefix(pdu);
        return { kind: 'none' };
      case 'aspa':
        this.applyAspa(pdu);
        return { kind: 'none' };
      case 'router_key':
        // BGPsec router keys are not used here; accepted and ignored.
        return { kind: 'none' };
      case 'end_of_data':
        return this.finish(pdu);
      case 'cache_reset':
        this.abortTransfer();
        this.forgetSerial();
        return { kind: 'cache_reset' };
      case 'error_report':
        // An error in answer to a Serial Query (stayrtr: "Session ID mismatch" after a restart)
        // means our serial is useless there: start over with a Reset Query. The set stays meanwhile.
        if (this.queryKind === 'serial') this.forgetSerial();
        this.abortTransfer();
        return { kind: 'error_report', code: pdu.code, text: pdu.text };
      default:
        throw new RtrProtocolError(`unexpected ${pdu.type} PDU from a cache`, RTR_ERROR.invalidRequest);
    }
  }

  private requireTxn(what: string): Txn {
    if (!this.txn) throw new RtrProtocolError(`${what} outside a Cache Response`, RTR_ERROR.corruptData);
    return this.txn;
  }

  private applyPrefix(pdu: Extract<Pdu, { type: 'prefix' }>): void {
    const txn = this.requireTxn('Prefix PDU');
    const vrp: Vrp = { prefix: formatWordsPrefix(pdu.family, pdu.words, pdu.prefixLength), maxLength: pdu.maxLength, asn: pdu.asn };
    const key = vrpKey(vrp);
    const staged = txn.vrps.get(key);
    const present = staged !== undefined ? staged !== null : !txn.reset && this.vrps.has(key);
    if (pdu.announce) {
      if (present) throw new RtrProtocolError(`duplicate announcement of ${key}`, RTR_ERROR.duplicateAnnouncement);
      txn.vrps.set(key, vrp);
      txn.announced++;
    } else {
      if (!present) throw new RtrProtocolError(`withdrawal of unknown ${key}`, RTR_ERROR.withdrawalOfUnknownRecord);
      txn.vrps.set(key, null);
      txn.withdrawn++;
    }
  }

  private applyAspa(pdu: Extract<Pdu, { type: 'aspa' }>): void {
    const txn = this.requireTxn('ASPA PDU');
    // An ASPA announcement replaces the customer's record; a withdrawal removes it.
    txn.aspas.set(pdu.customerAsn, pdu.announce ? [...new Set(pdu.providers)].sort((a, b) => a - b) : null);
  }

  private finish(pdu: Extract<Pdu, { type: 'end_of_data' }>): EndOfDataResult {
    const txn = this.requireTxn('End of Data');
    if (pdu.sessionId !== txn.sessionId) throw new RtrProtocolError(`End of Data for session ${pdu.sessionId}, expected ${txn.sessionId}`, RTR_ERROR.corruptData);
    if (txn.reset) {
      const fresh = new Map<string, Vrp>();
      for (const [k, v] of txn.vrps) if (v) fresh.set(k, v);
      this.vrps = fresh;
      const aspas = new Map<number, number[]>();
      for (const [k, v] of txn.aspas) if (v) aspas.set(k, v);
      this.aspas = aspas;
    } else {
      for (const [k, v] of txn.vrps) {
        if (v) this.vrps.set(k, v);
        else this.vrps.delete(k);
      }
      for (const [k, v] of txn.aspas) {
        if (v) this.aspas.set(k, v);
        else this.aspas.delete(k);
      }
    }
    this.sessionId = pdu.sessionId;
    this.serial = pdu.serial;
    this.txn = null;
    this.queryKind = null;
    return {
      kind: 'end_of_data',
      reset: txn.reset,
      announced: txn.announced,
      withdrawn: txn.withdrawn,
      serial: pdu.serial,
      sessionId: pdu.sessionId,
      refresh: pdu.refresh,
      retry: pdu.retry,
      expire: pdu.expire,
    };
  }
}
