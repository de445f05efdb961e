// more_specific: a prefix without a baseline of its own appears inside a baselined prefix.
// From an origin the covering prefix has never had, it is a sub-prefix hijack suspicion (the
// more-specific wins everywhere); from the covering prefix's own origin it is deaggregation,
// worth a medium alert only as a burst. Watched prefixes with ignoreMoreSpecifics are skipped.

import { coveringPrefixes } from '@/lib/bgp/prefix';
import type { BaselineView } from '@/lib/baseline/codec';
import type { AnomalyCandidate, Severity } from '@/lib/detect/types';
import { baselineOrigins, bumpSeverity, hijackSeverity, moreSevere, round3, routeEvidence, trailingAsSet, vantageConfidence, type RuleContext, type RuleInput } from '@/lib/detect/rules/common';

/** The most specific strictly-covering prefix that has a baseline. */
export function findBaselinedCover(prefix: string, ctx: RuleContext): { prefix: string; view: BaselineView } | undefined {
  const all = coveringPrefixes(prefix);
  for (let i = 1; i < all.length; i++) {
    const view = ctx.baselines.getBaseline(all[i]!, ctx.config.baselineWindow);
    // Only a cover with known origins can tell a foreign origin from its own.
    if (view && view.nOrigins > 0) return { prefix: all[i]!, view };
  }
  return undefined;
}

export function detectMoreSpecific(input: RuleInput, ctx: RuleContext): AnomalyCandidate[] {
  const { change, event } = input;
  if (change.kind !== 'announce' && change.kind !== 'origin_changed') return [];
  const { config, state, baselines, watch, memory } = ctx;
  if (baselines.getBaseline(event.prefix, config.baselineWindow)) return [];
  const cover = findBaselinedCover(event.prefix, ctx);
  if (!cover) return [];
  const watched = watch.match(event.prefix);
  if (watched?.ignoreMoreSpecifics) return [];

  const members = change.origin === null ? trailingAsSet(event) : [change.origin];
  const expected = baselineOrigins(cover.view.origins());
  const allowed = (asn: number) => cover.view.originCount(asn) > 0 || (watched?.allowedOrigins.includes(asn) ?? false);
  const foreign = members.length > 0 && !members.some(allowed);
  const burst = memory.moreSpecifics.add(cover.prefix, change.prefixId, event.timestampUs).members.size;
  const peers = state.peersWithOrigin(change.prefixId, change.origin);
  if (peers < config.moreSpecific.minPeers) return [];
  const isBurst = burst >= config.moreSpecific.burstMin;
  if (!foreign && !isBurst) return [];

  const collectors = state.visibleCollectors(change.prefixId, change.origin);
  const related = change.origin !== null && expected.some((o) => baselines.linkHint(o, change.origin!, config.baselineWindow) > 0 || baselines.linkHint(change.origin!, o, config.baselineWindow) > 0);
  let confidence = vantageConfidence(peers, collectors, config);
  if (related) confidence *= 0.5; // a customer announcing part of its provider's block is routine
  if (change.origin === null) confidence *= config.originChange.asSetFactor;
  confidence = round3(confidence);
  let severity: Severity = foreign ? hijackSeverity(confidence, config) : 'medium';
  if (foreign && related) severity = moreSevere('medium', severity) === 'medium' ? severity : 'medium';
  if (foreign && isBurst) severity = bumpSeverity(severity);
  if (watched) severity = bumpSeverity(severity);

  const originText = change.origin === null ? `AS_SET {${members.join(',')}}` : `AS${change.origin}`;
  return [
    {
      type: 'more_specific',
      entityKey: `${event.prefix}|${change.origin ?? `{${members.join(',')}}`}`,
      prefix: event.prefix,
      baselineOrigins: expected,
      originAsn: change.origin,
      startedAtUs: event.timestampUs,
      confidence,
      severity,
      summary: foreign
        ? `More-specific ${event.prefix} of ${cover.prefix} (${expected.map((o) => `AS${o}`).join('/')}) announced by ${originText}, seen by ${peers} peers at ${collectors} collectors: sub-prefix hijack suspected`
        : `Burst of ${burst} more-specifics of ${cover.prefix} from its own origin (latest ${event.prefix}, ${peers} peers)`,
      evidence: routeEvidence(ctx, input, change.origin, { covering: cover.prefix, peers, collectors, burst, foreign, related }),
      watched: watched !== undefined,
    },
  ];
}
