// BGP4MP state changes written without interface index, AFI and addresses — by Zebra (RIS 2000,
// 2-byte ASNs) and by FRR 8.4 (`dump bgp all`, STATE_CHANGE_AS4) for a peer with no address, e.g.
// at shutdown. The bytes below are the last record FRR wrote in lib/bgp/mrt/router-mrt.int.test.ts;
// bgpdump 1.6.2 prints nothing for the AS4 form (it reads the states as ifindex and AFI 8).

import { describe, expect, it } from 'vitest';
import { readMrt } from '@/lib/bgp/mrt/reader';
import type { MrtItem } from '@/lib/bgp/mrt/types';

async function decodeHex(hex: string): Promise<{ items: MrtItem[]; skipped: string[]; warned: string[] }> {
  const items: MrtItem[] = [];
  const skipped: string[] = [];
  const warned: string[] = [];
  async function* one(): AsyncGenerator<Buffer> {
    yield Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  }
  for await (const item of readMrt(one(), { onSkip: (_, r) => skipped.push(r), onWarn: (_, m) => warned.push(m) })) items.push(item);
  return { items, skipped, warned };
}

describe('BGP4MP state change without addresses', () => {
  it('decodes FRR\'s 12-byte STATE_CHANGE_AS4 (ASNs 0, Idle -> FRR "Deleted")', async () => {
    // header: time, type 16, subtype 5, length 12 | peer AS 0, local AS 0, old 1, new 8
    const r = await decodeHex('6b0338b5 0010 0005 0000000c  00000000 00000000 0001 0008');
    expect(r.skipped).toEqual([]);
    expect(r.warned).toEqual([]);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ kind: 'state', timestampUs: 0x6b0338b5 * 1e6, peerAsn: 0, peerIp: '0.0.0.0', oldState: 1, newState: 8 });
  });

  it('decodes Zebra\'s 8-byte STATE_CHANGE (2-byte ASNs) the same way', async () => {
    const r = await decodeHex('3a000000 0010 0000 00000008  fde8 0d1c 0003 0001');
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ kind: 'state', peerAsn: 65000, peerIp: '0.0.0.0', oldState: 3, newState: 1 });
  });

  it('still reads a full STATE_CHANGE_AS4 with addresses', async () => {
    // peer AS 4200000001, local AS 65005, ifindex 0, AFI 1, 127.0.0.1, 127.0.0.5, 6 -> 8
    const r = await decodeHex('6b0338b5 0010 0005 00000018  fa56ea01 0000fded 0000 0001 7f000001 7f000005 0006 0008');
    expect(r.items[0]).toMatchObject({ kind: 'state', peerAsn: 4200000001, peerIp: '127.0.0.1', oldState: 6, newState: 8 });
  });
});
