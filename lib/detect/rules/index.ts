// The rule set in one place: every rule sees every applied event (rpki_invalid is raised by the
// RPKI service, lib/rpki/anomalies.ts, from verdict changes rather than from events).

import type { AnomalyCandidate } from '@/lib/detect/types';
import type { RuleContext, RuleInput } from '@/lib/detect/rules/common';
import { detectOriginChange } from '@/lib/detect/rules/origin-change';
import { detectMoreSpecific } from '@/lib/detect/rules/more-specific';
import { detectMassWithdrawal } from '@/lib/detect/rules/mass-withdrawal';
import { detectPathDeviation } from '@/lib/detect/rules/path-deviation';
import { detectVisibilityDrop } from '@/lib/detect/rules/visibility-drop';

export type Rule = (input: RuleInput, ctx: RuleContext) => AnomalyCandidate[];

export const RULES: readonly Rule[] = [detectOriginChange, detectMoreSpecific, detectMassWithdrawal, detectPathDeviation, detectVisibilityDrop];

export function runRules(input: RuleInput, ctx: RuleContext, rules: readonly Rule[] = RULES): AnomalyCandidate[] {
  const out: AnomalyCandidate[] = [];
  for (const rule of rules) for (const c of rule(input, ctx)) out.push(c);
  return out;
}
