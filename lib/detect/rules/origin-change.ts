// origin_change: a prefix announced by an origin its baseline has never seen (hijack suspicion).
// Origins in the baseline, MOAS included, are normal. An AS_SET origin is normal when any member
// is a baselined origin, and weaker evidence otherwise. A new origin adjacent to a baselined one
// in the baseline links (a sibling or upstream originating for its customer) lowers confidence.

import type { AnomalyCandidate } from '@/lib/detect/types';
import { baselineOrigins, bumpSeverity, hijackSeverity, round3, routeEvidence, trailingAsSet, vantageConfidence, type RuleContext, type RuleInput } from '@/lib/detect/rules/common';

export function detectOriginChange(input: RuleInput, ctx: RuleContext): AnomalyCandidate[] {
  const { change, event } = input;
  if (change.kind !== 'announce' && change.kind !== 'origin_changed') return [];
  const { config, state, baselines, watch } = ctx;
  // A baseline without origins (only withdrawals were seen) knows nothing to compare with.
  const found = baselines.getBaseline(event.prefix, config.baselineWindow);
  const view = found && found.nOrigins > 0 ? found : undefined;
  const watched = watch.match(event.prefix);
  if (!view && !watched) return []; // nothing known to compare with (more_specific covers sub-prefixes)

  const setMembers = change.origin === null ? trailingAsSet(event) : [];
  const candidates = change.origin === null ? setMembers : [change.origin];
  if (candidates.length === 0) return [];
  const known = (asn: number) => (view ? view.originCount(asn) > 0 : false) || (watched?.allowedOrigins.includes(asn) ?? false);
  if (candidates.some(known)) return [];
  // A watched prefix without a configured origin list falls back to the baseline alone.
  if (!view && watched && watched.allowedOrigins.length === 0) return [];

  const peers = state.peersWithOrigin(change.prefixId, change.origin);
  if (peers < config.originChange.minPeers) return [];
  const collectors = state.visibleCollectors(change.prefixId, change.origin);
  const expected = view ? baselineOrigins(view.origins()) : (watched?.allowedOrigins ?? []);
  const related = change.origin !== null && expected.some((o) => baselines.linkHint(o, change.origin!, config.baselineWindow) > 0 || baselines.linkHint(change.origin!, o, config.baselineWindow) > 0);

  let confidence = vantageConfidence(peers, collectors, config);
  if (related) confidence *= config.originChange.relatedFactor;
  if (change.origin === null) confidence *= config.originChange.asSetFactor;
  confidence = round3(confidence);
  let severity = hijackSeverity(confidence, config);
  if (related && severity === 'critical') severity = 'high';
  // A watched prefix, or a prefix of a watched ASN, ranks first.
  const isWatched = watched !== undefined || expected.some((o) => watch.isWatchedAsn(o));
  if (isWatched) severity = bumpSeverity(severity);

  const originText = change.origin === null ? `AS_SET {${setMembers.join(',')}}` : `AS${change.origin}`;
  const entityOrigin = change.origin === null ? `{${setMembers.join(',')}}` : String(change.origin);
  return [
    {
      type: 'origin_change',
      entityKey: `${event.prefix}|${entityOrigin}`,
      prefix: event.prefix,
      baselineOrigins: expected,
      originAsn: change.origin,
      startedAtUs: event.timestampUs,
      confidence,
      severity,
      summary: `${event.prefix} announced by ${originText} instead of ${expected.map((o) => `AS${o}`).join('/') || 'its usual origin'}, seen by ${peers} peers at ${collectors} collectors${related ? ' (origins are adjacent in the baseline: related ASes?)' : ''}`,
      evidence: routeEvidence(ctx, input, change.origin, {
        peers,
        collectors,
        related,
        asSetMembers: setMembers,
        watched: watched?.prefix ?? null,
      }),
      watched: isWatched,
    },
  ];
}
