// Detection thresholds in one place (pure): a zod schema whose defaults are the documented
// defaults (config/detection.json repeats them for operators), a deep-merge of overrides and a
// parser that reports what is wrong. File reading and hot reload live in config-file.ts.

import { z } from 'zod';
import { BASELINE_WINDOWS } from '@/lib/baseline/types';

const frac = z.number().min(0).max(1);
const count = z.number().int().min(1);

export const detectionConfigSchema = z.object({
  /** Baseline window the rules compare against: 30d knows the most origins/paths (fewest false alarms). */
  baselineWindow: z.enum(BASELINE_WINDOWS).default('30d'),
  confidence: z
    .object({
      /** Peers at which the peer part of the confidence saturates. */
      peersForFull: count.default(20),
      /** Collectors at which the collector part saturates (independent vantage points weigh more). */
      collectorsForFull: count.default(4),
      /** Weight of the collector part; the peer part gets the rest. */
      collectorWeight: frac.default(0.4),
    })
    .prefault({}),
  severity: z
    .object({
      /** Confidence from which a likely hijack is critical rather than high. */
      criticalConfidence: frac.default(0.7),
      /** Below this confidence an alert is at most low. */
      lowConfidence: frac.default(0.25),
    })
    .prefault({}),
  originChange: z
    .object({
      /** Distinct peers that must carry the new origin (at threshold: alert). */
      minPeers: count.default(2),
      /** Confidence factor when the new and old origins are adjacent in the baseline links (related ASes). */
      relatedFactor: frac.default(0.5),
      /** Confidence factor for an AS_SET origin none of whose members is baselined. */
      asSetFactor: frac.default(0.5),
    })
    .prefault({}),
  moreSpecific: z
    .object({
      minPeers: count.default(2),
      /** Event-time window in which more-specifics of one covering prefix count as one burst. */
      burstSeconds: z.number().positive().default(300),
      /** More-specifics in a burst that make a same-origin deaggregation worth a (medium) alert. */
      burstMin: count.default(10),
    })
    .prefault({}),
  massWithdrawal: z
    .object({
      windowSeconds: z.number().positive().default(60),
      /** Prefixes of one origin withdrawn (by one peer set) within the window. */
      minPrefixesPerOrigin: count.default(50),
      /** Peers withdrawing one prefix within the window. */
      minPeersPerPrefix: count.default(10),
      /** Withdrawals in the window must exceed this many times the baseline hourly mean scaled to the window. */
      rateFactor: z.number().min(1).default(10),
      /** Prefixes in a burst that make it critical. */
      criticalPrefixes: count.default(1000),
    })
    .prefault({}),
  pathDeviation: z
    .object({
      /** Collapsed path length above the baseline's longest by at least this many hops. */
      lengthJump: count.default(3),
      minPeers: count.default(2),
      /** A link needs this many baseline occurrences (all prefixes) to count as an inferred relationship. */
      minLinkHint: count.default(3),
    })
    .prefault({}),
  visibilityDrop: z
    .object({
      /** Alert when visible peers fall to this fraction of the baseline median or below. */
      fraction: frac.default(0.5),
      /** Baseline median peers needed before a drop means anything. */
      minBaselinePeers: count.default(10),
      /** high instead of medium at this fraction or below. */
      highFraction: frac.default(0.2),
    })
    .prefault({}),
  lifecycle: z
    .object({
      /** Start bucket of the dedup key. */
      bucketSeconds: z.number().int().positive().default(3600),
      /** Route anomalies end when at most this fraction of their peak peers still carry them. */
      resolveRemainingFraction: frac.default(0.1),
      /** Burst-type anomalies (withdrawals, path changes) end after this much event time without evidence. */
      quietSeconds: z.number().positive().default(900),
      /** Peers and samples kept in evidence. */
      maxEvidencePeers: count.default(200),
      maxSamples: count.default(10),
    })
    .prefault({}),
});

export type DetectionConfig = z.infer<typeof detectionConfigSchema>;
export type DetectionConfigInput = z.input<typeof detectionConfigSchema>;

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = detectionConfigSchema.parse({});

export class DetectionConfigError extends Error {
  override name = 'DetectionConfigError';
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Later layers win key by key; arrays and scalars replace. */
export function mergeConfigLayers(...layers: Json[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const layer of layers) {
    if (!isObject(layer)) continue;
    for (const [k, v] of Object.entries(layer)) out[k] = isObject(v) && isObject(out[k]) ? mergeConfigLayers(out[k], v) : v;
  }
  return out;
}

/** Validates merged layers (file, then env override); throws DetectionConfigError naming the bad fields. */
export function parseDetectionConfig(...layers: Json[]): DetectionConfig {
  const r = detectionConfigSchema.safeParse(mergeConfigLayers(...layers));
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DetectionConfigError(`invalid detection config: ${issues}`);
  }
  return r.data;
}
