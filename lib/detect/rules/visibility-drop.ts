// visibility_drop: a prefix now carried by far fewer peers than its baseline and than the state
// itself saw at its peak. The reference is the smaller of the two: the baseline's per-hour peer
// counts include only hours with updates, and a state that never saw more than a few peers must
// not call their absence a drop (a fresh restart without a checkpoint). Checked on withdrawals.

import type { AnomalyCandidate, Severity } from '@/lib/detect/types';
import { baselineOrigins, bumpSeverity, round3, sighting, type RuleContext, type RuleInput } from '@/lib/detect/rules/common';

export function detectVisibilityDrop(input: RuleInput, ctx: RuleContext): AnomalyCandidate[] {
  const { change, event } = input;
  if (change.kind !== 'withdraw') return [];
  const { config, state, baselines, watch } = ctx;
  const cfg = config.visibilityDrop;
  const peak = state.peakPeers(change.prefixId);
  if (peak < cfg.minBaselinePeers) return [];
  const view = baselines.getBaseline(event.prefix, config.baselineWindow);
  if (!view || view.hoursSeen <= 0 || view.peersSum / view.hoursSeen < cfg.minBaselinePeers / 2) return [];
  const median = view.peerHistogramMedian();
  if (median < cfg.minBaselinePeers) return [];
  const reference = Math.min(peak, median);
  const visible = state.visiblePeers(change.prefixId);
  const ratio = visible / reference;
  if (ratio > cfg.fraction) return [];

  let severity: Severity = ratio <= cfg.highFraction ? 'high' : 'medium';
  const watched = watch.match(event.prefix);
  if (watched) severity = bumpSeverity(severity);
  return [
    {
      type: 'visibility_drop',
      entityKey: event.prefix,
      prefix: event.prefix,
      baselineOrigins: baselineOrigins(view.origins()),
      originAsn: change.previousOrigin,
      startedAtUs: event.timestampUs,
      confidence: round3(1 - ratio),
      severity,
      summary: `${event.prefix} visible to ${visible} peers, against a baseline median of ${median} and a peak of ${peak}`,
      evidence: {
        peers: [],
        collectors: [],
        samples: [sighting(event)],
        details: { visible, visibleCollectors: state.visibleCollectors(change.prefixId), baselineMedianPeers: median, peakPeers: peak, ratio: round3(ratio) },
      },
      watched: watched !== undefined,
    },
  ];
}
