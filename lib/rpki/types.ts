// RPKI types shared by the validation core, the VRP sources (RTR, JSON), the worker, the API and
// the dashboard. Pure declarations.

/** A Validated ROA Payload: `asn` may originate `prefix` and its more-specifics up to `maxLength`. */
export interface Vrp {
  /** Canonical CIDR (host bits zero, RFC 5952 for IPv6). */
  prefix: string;
  maxLength: number;
  /** 0 .. 4294967295; AS0 (RFC 6483/7607) means "nobody may originate this". */
  asn: number;
}

/** ASPA record: `customerAsn` attests that these are all of its upstream providers (experimental, draft). */
export interface Aspa {
  customerAsn: number;
  /** Sorted, unique. May contain 0 ("no providers"), which is not a wildcard. */
  providers: number[];
}

/** A VRP set as a source delivers it. */
export interface VrpSet {
  vrps: Vrp[];
  aspas: Aspa[];
}

export const ROV_STATES = ['valid', 'invalid', 'not_found'] as const;
/** RFC 6811 route origin validation state. */
export type RovState = (typeof ROV_STATES)[number];

export const INVALID_REASONS = ['as_mismatch', 'max_length'] as const;
/**
 * Why a covered route is invalid: no covering VRP names its origin (`as_mismatch`, also used when
 * the origin cannot be determined, e.g. a path ending in an AS_SET, and for AS0 VRPs), or one
 * does but the route is more specific than its maxLength (`max_length`).
 */
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface RovResult {
  state: RovState;
  reason: InvalidReason | null;
  /** Every VRP whose prefix covers the route (RFC 6811 "candidate" VRPs), most specific first. */
  covering: Vrp[];
}

/**
 * The verdict as a small integer, for the hot paths (typed-array route tables, bulk re-validation).
 * Keep in sync with verdictFromCode.
 */
export const VERDICT = { notFound: 0, valid: 1, invalidAsn: 2, invalidLength: 3 } as const;
export type VerdictCode = (typeof VERDICT)[keyof typeof VERDICT];

export const RPKI_SOURCE_KINDS = ['rtr', 'url', 'file'] as const;
export type RpkiSourceKind = (typeof RPKI_SOURCE_KINDS)[number];

/** What one source last delivered, and how fresh it is. */
export interface RpkiSourceStatus {
  /** "rtr:127.0.0.1:8282", "url:https://…", "file:/path". */
  id: string;
  kind: RpkiSourceKind;
  /** RTR serial, or a content hash-derived counter for JSON sources; null before the first load. */
  serial: number | null;
  sessionId: number | null;
  vrpCount: number;
  aspaCount: number;
  /** Wall-clock ms of the last successful load / End of Data. */
  lastSuccessMs: number | null;
  /** Wall-clock ms of the last failed attempt. */
  lastErrorMs: number | null;
  lastError: string | null;
  /** The source cannot currently reach its data and the set it holds is kept from before. */
  stale: boolean;
}

/** The local exceptions file (SLURM, RFC 8416) and what it did to the last index. */
export interface SlurmStatus {
  file: string;
  /** A valid document is in force (the last good one when the file turned bad). */
  inForce: boolean;
  filters: number;
  assertions: number;
  /** VRPs the filters removed / assertions added in the last index built. */
  filtered: number;
  added: number;
  /** Wall-clock ms the document in force was read. */
  loadedAtMs: number | null;
  lastError: string | null;
  lastErrorMs: number | null;
}

/** One write of a source's last good set to the store (full replacement or a delta by VRP key). */
export interface RpkiSetWrite {
  sourceId: string;
  kind: RpkiSourceKind;
  serial: number | null;
  sessionId: number | null;
  generatedAtMs: number | null;
  loadedAtMs: number;
  /** Total VRPs in the set after this write. */
  vrpCount: number;
  /** `full`: replace the stored set; otherwise apply the delta. */
  vrps: { full: readonly Vrp[] } | { added: readonly Vrp[]; removed: readonly Vrp[] };
  aspas: readonly Aspa[];
}
