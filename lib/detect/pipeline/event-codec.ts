// Compact wire form of the events a detection job carries (pure): only what the detector reads,
// as a tuple per event, so a 5,000-event batch stays a few hundred KB in Redis and parsing it is
// cheap. Raw messages, communities and attributes the rules never read stay in PostgreSQL.

import { z } from 'zod';
import type { BgpEvent } from '@/lib/bgp/types';

const asn = z.number().int().min(0).max(4_294_967_295);

/** [source, collector, peerIp, peerAsn, withdrawal, prefix, originAsn, asPath, setMask, asPathLength, timestampUs] */
export const detectEventTuple = z.tuple([
  z.union([z.literal(0), z.literal(1)]),
  z.string().min(1).max(64),
  z.string().min(1).max(64),
  asn,
  z.union([z.literal(0), z.literal(1)]),
  z.string().min(2).max(64),
  asn.nullable(),
  z.array(asn),
  z.array(z.boolean()).nullable(),
  z.number().int().min(0),
  z.number().int().nonnegative(),
]);
export type DetectEventTuple = z.infer<typeof detectEventTuple>;

export const detectBatchPayload = z
  .object({
    events: z.array(detectEventTuple).min(1),
    /** Wall time the batch was committed to PostgreSQL (ms): lag metric only, never for detection. */
    committedAtMs: z.number().int().nonnegative(),
  })
  .strict();
export type DetectBatchPayload = z.infer<typeof detectBatchPayload>;

export function encodeDetectEvent(e: BgpEvent): DetectEventTuple {
  return [
    e.source === 'bgpstream_bgp' ? 1 : 0,
    e.collector,
    e.peerIp,
    e.peerAsn,
    e.eventType === 'withdrawal' ? 1 : 0,
    e.prefix,
    e.originAsn,
    e.asPath,
    e.asPathSetMask,
    e.asPathLength,
    e.timestampUs,
  ];
}

export function decodeDetectEvent(t: DetectEventTuple): BgpEvent {
  const [source, collector, peerIp, peerAsn, withdrawal, prefix, originAsn, asPath, asPathSetMask, asPathLength, timestampUs] = t;
  return {
    source: source === 1 ? 'bgpstream_bgp' : 'ris_live_bgp',
    collector,
    peerAsn,
    peerIp,
    eventType: withdrawal === 1 ? 'withdrawal' : 'announcement',
    prefix,
    prefixLength: Number(prefix.slice(prefix.lastIndexOf('/') + 1)),
    originAsn,
    asPath,
    asPathSetMask,
    asPathLength,
    communities: [],
    nextHop: null,
    med: null,
    localPref: null,
    originAttribute: null,
    aggregator: null,
    timestampUs,
    rawMessage: null,
    dedupKey: '',
  };
}
