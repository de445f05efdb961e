// path_deviation (route leak suspicion), checked only for paths the prefix's baseline has never
// carried: (1) the path, prepending collapsed, is longer than the longest baseline path by the
// configured jump (prepending alone is never a change: the baseline's lengths include it, the
// live length is compared without it); (2) a transit AS never seen in the prefix's paths;
// (3) heuristic valley: hop b between a and c where the baseline links over all prefixes show
// both a and c as b's upstreams (each carried b's routes) and b never carried c's routes: b now
// passes one upstream's route to another, the classic leak. Relationships are inferred, so
// valley findings are labelled heuristic. (4) A watched prefix reached through an upstream that
// is not on its allowedUpstreams list (the operator's own rule, no baseline needed).

import { collapsePrepending, pathKey } from '@/lib/baseline/path-key';
import type { BaselineView } from '@/lib/baseline/codec';
import type { AnomalyCandidate, Severity } from '@/lib/detect/types';
import { baselineOrigins, bumpSeverity, round3, routeEvidence, vantageConfidence, type RuleContext, type RuleInput } from '@/lib/detect/rules/common';

interface Finding {
  kind: 'length' | 'new_transit' | 'valley' | 'upstream';
  key: string;
  text: string;
}

function findValley(path: readonly number[], ctx: RuleContext): Finding | undefined {
  const { baselines, config } = ctx;
  const min = config.pathDeviation.minLinkHint;
  const w = config.baselineWindow;
  for (let i = 1; i + 1 < path.length; i++) {
    const [a, b, c] = [path[i - 1]!, path[i]!, path[i + 1]!];
    if (baselines.linkHint(a, b, w) >= min && baselines.linkHint(c, b, w) >= min && baselines.linkHint(b, c, w) === 0) {
      return { kind: 'valley', key: `valley AS${a}-AS${b}-AS${c}`, text: `AS${b} passes a route from AS${c} to AS${a}, both inferred upstreams of AS${b} (heuristic valley-free violation)` };
    }
  }
  return undefined;
}

export function detectPathDeviation(input: RuleInput, ctx: RuleContext): AnomalyCandidate[] {
  const { change, event } = input;
  if (change.kind === 'withdraw' || change.kind === 'withdraw_unknown' || event.asPath.length < 2) return [];
  const { config, baselines, watch } = ctx;
  const findings: Finding[] = [];
  // The operator's own rule needs no baseline: a watched prefix reached through an upstream not on its list.
  const watchedPrefix = watch.match(event.prefix);
  if (watchedPrefix && watchedPrefix.allowedUpstreams.length > 0) {
    const path = collapsePrepending(event.asPath);
    const upstream = path.length >= 3 ? path[path.length - 2]! : undefined;
    if (upstream !== undefined && !watchedPrefix.allowedUpstreams.includes(upstream)) {
      findings.push({ kind: 'upstream', key: `upstream AS${upstream}`, text: `upstream AS${upstream} is not among the allowed upstreams (${watchedPrefix.allowedUpstreams.map((a) => `AS${a}`).join(', ')})` });
    }
  }
  const view = baselines.getBaseline(event.prefix, config.baselineWindow);
  // Most announcements carry a path the baseline knows: that answer needs no collapsed copy of the path.
  if (!view || view.nPaths === 0 || view.pathCount(pathKey(event.asPath)) > 0) return findings.length > 0 ? report(findings, input, ctx, collapsePrepending(event.asPath), view) : [];
  const path = collapsePrepending(event.asPath);

  const maxLen = Math.max(0, ...view.pathLengths().keys());
  if (path.length >= maxLen + config.pathDeviation.lengthJump) {
    findings.push({ kind: 'length', key: 'length', text: `path of ${path.length} hops (prepending collapsed) against at most ${maxLen} in the baseline` });
  }
  // Skip the peer's own AS (a new peer is not a new transit) and the origin (origin_change's job).
  for (let i = 1; i < path.length - 1; i++) {
    const asn = path[i]!;
    if (!view.hasAsInPaths(asn)) {
      findings.push({ kind: 'new_transit', key: `transit AS${asn}`, text: `transit AS${asn} never seen on paths to this prefix` });
      break;
    }
  }
  const valley = findValley(path, ctx);
  if (valley) findings.push(valley);
  return findings.length === 0 ? [] : report(findings, input, ctx, path, view);
}

function report(findings: readonly Finding[], input: RuleInput, ctx: RuleContext, path: readonly number[], view: BaselineView | undefined): AnomalyCandidate[] {
  const { change, event } = input;
  const { config, memory, watch, state } = ctx;
  const out: AnomalyCandidate[] = [];
  const watched = watch.match(event.prefix) !== undefined || path.some((a) => watch.isWatchedAsn(a));
  for (const f of findings) {
    const entityKey = `${event.prefix}|${f.key}`;
    const seen = memory.pathDeviations.add(entityKey, change.peerId, event.timestampUs, state.collectorIdOf(change.peerId));
    if (seen.members.size < config.pathDeviation.minPeers || !memory.pathDeviations.shouldReport(seen)) continue;
    const confidence = round3(vantageConfidence(seen.members.size, seen.secondary.size, config) * (f.kind === 'valley' ? 0.7 : 1));
    let severity: Severity = confidence >= config.severity.lowConfidence ? 'medium' : 'low';
    if (watched) severity = bumpSeverity(severity);
    out.push({
      type: 'path_deviation',
      entityKey,
      prefix: event.prefix,
      baselineOrigins: view ? baselineOrigins(view.origins()) : [],
      originAsn: event.originAsn,
      startedAtUs: seen.startUs,
      confidence,
      severity,
      summary: `${event.prefix}: ${f.text}; seen by ${seen.members.size} peers at ${seen.secondary.size} collectors`,
      evidence: {
        ...routeEvidence(ctx, input, change.origin, { finding: f.kind, peers: seen.members.size, collectors: seen.secondary.size, path: [...path] }),
        peers: [],
        heuristic: f.kind === 'valley',
      },
      watched,
    });
  }
  return out;
}
