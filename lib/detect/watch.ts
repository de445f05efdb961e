// Watch lists (BGPalerter style): own prefixes with allowed origins / upstreams and whether
// more-specifics are expected, and own ASNs. Pure: parsed with zod, matched by prefix containment.
// An empty list is global mode: nothing is watched, every rule still runs.

import { z } from 'zod';
import { coveringPrefixes, canonicalPrefix } from '@/lib/bgp/prefix';
import type { WatchedPrefix, WatchList } from '@/lib/detect/types';

const asn = z.number().int().min(0).max(0xffffffff);

export const watchListSchema = z.object({
  prefixes: z
    .array(
      z.object({
        prefix: z.string().transform((p, ctx) => {
          try {
            return canonicalPrefix(p);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
            return z.NEVER;
          }
        }),
        description: z.string().optional(),
        allowedOrigins: z.array(asn).default([]),
        allowedUpstreams: z.array(asn).default([]),
        ignoreMoreSpecifics: z.boolean().default(false),
      }),
    )
    .default([]),
  asns: z.array(asn).default([]),
});

export const EMPTY_WATCH_LIST: WatchList = { prefixes: [], asns: [] };

export class WatchIndex {
  private readonly byPrefix = new Map<string, WatchedPrefix>();
  private readonly asns: Set<number>;

  constructor(list: WatchList = EMPTY_WATCH_LIST) {
    for (const p of list.prefixes) this.byPrefix.set(p.prefix, p);
    this.asns = new Set(list.asns);
  }

  get empty(): boolean {
    return this.byPrefix.size === 0 && this.asns.size === 0;
  }

  /** The most specific watched prefix that equals or covers `prefix`. */
  match(prefix: string): WatchedPrefix | undefined {
    if (this.byPrefix.size === 0) return undefined;
    for (const p of coveringPrefixes(prefix)) {
      const hit = this.byPrefix.get(p);
      if (hit) return hit;
    }
    return undefined;
  }

  isWatchedAsn(asn: number | null): boolean {
    return asn !== null && this.asns.has(asn);
  }
}
