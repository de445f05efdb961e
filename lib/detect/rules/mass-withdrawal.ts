// mass_withdrawal (outage suspicion): in a short event-time window, many prefixes of one origin
// withdrawn, or one prefix withdrawn by many peers, well above the entity's normal withdrawal
// rate from the baseline (a prefix that flaps all day is not an outage when it flaps again).
// Only withdrawals of routes the state knew count: a withdrawal of nothing is no loss.

import type { WindowMeta } from '@/lib/baseline/summary';
import type { AnomalyCandidate, Severity } from '@/lib/detect/types';
import { bumpSeverity, hourlyMean, round3, sighting, vantageConfidence, type RuleContext, type RuleInput } from '@/lib/detect/rules/common';

function expectedInWindow(ctx: RuleContext, prefix: string, meta: WindowMeta | undefined): number {
  const view = ctx.baselines.getBaseline(prefix, ctx.config.baselineWindow);
  if (!view) return 0;
  return (hourlyMean(view.withdrawals, view.hoursSeen, meta) * ctx.config.massWithdrawal.windowSeconds) / 3600;
}

export function detectMassWithdrawal(input: RuleInput, ctx: RuleContext): AnomalyCandidate[] {
  const { change, event } = input;
  if (change.kind !== 'withdraw') return [];
  const { config, state, memory, watch } = ctx;
  const cfg = config.massWithdrawal;
  const meta = ctx.baselines.windowMeta(config.baselineWindow);
  const out: AnomalyCandidate[] = [];
  const base = { prefix: event.prefix, startedAtUs: event.timestampUs };

  const byPrefix = memory.prefixWithdrawals.add(change.prefixId, change.peerId, event.timestampUs, state.collectorIdOf(change.peerId));
  const peers = byPrefix.members.size;
  const expectedPrefix = expectedInWindow(ctx, event.prefix, meta);
  if (peers >= cfg.minPeersPerPrefix && peers > cfg.rateFactor * expectedPrefix && memory.prefixWithdrawals.shouldReport(byPrefix)) {
    const collectors = byPrefix.secondary.size;
    const peak = Math.max(1, state.peakPeers(change.prefixId));
    const share = Math.min(1, peers / peak);
    let severity: Severity = share >= 0.5 ? 'high' : 'medium';
    const watched = watch.match(event.prefix) !== undefined;
    if (watched) severity = bumpSeverity(severity);
    out.push({
      ...base,
      type: 'mass_withdrawal',
      entityKey: event.prefix,
      baselineOrigins: change.previousOrigin === null ? [] : [change.previousOrigin],
      originAsn: change.previousOrigin,
      startedAtUs: byPrefix.startUs,
      confidence: vantageConfidence(peers, collectors, config),
      severity,
      summary: `${event.prefix} withdrawn by ${peers} peers at ${collectors} collectors within ${cfg.windowSeconds} s (${Math.round(share * 100)} % of the most that carried it; about ${expectedPrefix.toFixed(1)} expected)`,
      evidence: { peers: [], collectors: [], samples: [sighting(event)], details: { peers, collectors, peakPeers: peak, expected: Math.round(expectedPrefix * 100) / 100 } },
      watched,
    });
  }

  const origin = change.previousOrigin;
  if (origin === null) return out;
  const byOrigin = memory.originWithdrawals.add(origin, change.prefixId, event.timestampUs, change.peerId);
  let exp = memory.originExpected.get(origin);
  if (!exp || exp.startUs !== byOrigin.startUs) memory.originExpected.set(origin, (exp = { startUs: byOrigin.startUs, expected: 0, counted: new Set() }));
  // Each prefix adds its expected withdrawals once, when it first enters the window.
  if (!exp.counted.has(change.prefixId)) {
    exp.counted.add(change.prefixId);
    exp.expected += expectedInWindow(ctx, event.prefix, meta);
  }
  const prefixes = byOrigin.members.size;
  if (prefixes < cfg.minPrefixesPerOrigin || prefixes <= cfg.rateFactor * exp.expected || !memory.originWithdrawals.shouldReport(byOrigin)) return out;
  let severity: Severity = prefixes >= cfg.criticalPrefixes ? 'critical' : prefixes >= 4 * cfg.minPrefixesPerOrigin ? 'high' : 'medium';
  const watched = watch.isWatchedAsn(origin);
  if (watched) severity = bumpSeverity(severity);
  out.push({
    ...base,
    type: 'mass_withdrawal',
    entityKey: `AS${origin}`,
    prefix: null,
    baselineOrigins: [origin],
    originAsn: origin,
    startedAtUs: byOrigin.startUs,
    confidence: round3(Math.min(1, prefixes / (2 * cfg.minPrefixesPerOrigin)) * 0.5 + Math.min(1, byOrigin.secondary.size / config.confidence.peersForFull) * 0.5),
    severity,
    summary: `${prefixes} prefixes of AS${origin} withdrawn by ${byOrigin.secondary.size} peers within ${cfg.windowSeconds} s (about ${exp.expected.toFixed(1)} expected)`,
    evidence: { peers: [], collectors: [], samples: [sighting(event)], details: { prefixes, peers: byOrigin.secondary.size, expected: Math.round(exp.expected * 100) / 100 } },
    watched,
  });
  return out;
}
