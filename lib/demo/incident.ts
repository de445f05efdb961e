// The incident the demo stream ends with, modelled on the public facts of the 24 February 2008
// YouTube / Pakistan Telecom hijack, and its compressed timeline. Also the stream's description
// for the UI, which must label the feed as simulated.

import { PAKISTAN_TELECOM_ASN, PCCW_ASN, YOUTUBE_ASN } from '@/lib/demo/topology';

export const INCIDENT_PREFIXES = {
  /** What YouTube normally originates. */
  victimCovering: '208.65.152.0/22',
  /** What Pakistan Telecom announced (more specific, so it won). */
  hijacked: '208.65.153.0/24',
  /** YouTube's counter-announcements: first the same /24, then two /25s. */
  victimMoreSpecifics: ['208.65.153.0/25', '208.65.153.128/25'],
} as const;

/** Minutes after 18:47 UTC on 2008-02-24 (the hijack's first announcement) of each public milestone. */
const REAL_MINUTES = { hijack: 0, victimSameLength: 80, victimMoreSpecifics: 91, hijackWithdrawn: 132 } as const;

export interface IncidentSchedule {
  /** End of the quiet baseline; the incident window starts here. */
  incidentStartMs: number;
  hijackMs: number;
  victimSameLengthMs: number;
  victimMoreSpecificsMs: number;
  hijackWithdrawnMs: number;
  /** End of the stream. */
  endMs: number;
  /** Propagation to most peers takes "minutes" in reality; this is that, compressed. */
  propagationMeanMs: number;
}

/**
 * Maps the real milestones (132 minutes) linearly into the incident window: the hijack at 5 % of
 * it, its withdrawal at 90 %, leaving a short quiet tail.
 */
export function incidentSchedule(opts: { startTimeMs: number; baselineMinutes: number; incidentMinutes: number }): IncidentSchedule {
  const incidentStartMs = opts.startTimeMs + Math.round(opts.baselineMinutes * 60_000);
  const windowMs = Math.round(opts.incidentMinutes * 60_000);
  const at = (realMinutes: number) => incidentStartMs + Math.round(windowMs * (0.05 + (0.85 * realMinutes) / REAL_MINUTES.hijackWithdrawn));
  // Real propagation: ~1–2 min of 132; keep it visible even when the window is short.
  const propagationMeanMs = Math.max(1_000, Math.round(windowMs * (0.85 * 1.5) / REAL_MINUTES.hijackWithdrawn / 2));
  return {
    incidentStartMs,
    hijackMs: at(REAL_MINUTES.hijack),
    victimSameLengthMs: at(REAL_MINUTES.victimSameLength),
    victimMoreSpecificsMs: at(REAL_MINUTES.victimMoreSpecifics),
    hijackWithdrawnMs: at(REAL_MINUTES.hijackWithdrawn),
    endMs: incidentStartMs + windowMs,
    propagationMeanMs,
  };
}

/** What the UI shows next to the demo feed. Nothing in the stream claims to be a real observation. */
export const DEMO_STREAM_META = {
  name: 'BGP Observatory demo stream',
  simulated: true,
  description:
    'Simulated RIS Live traffic made by a seeded generator: a quiet baseline of synthetic routes seen by ' +
    'simulated peers at RIS-named collectors, then a compressed re-enactment of a well-known hijack. ' +
    'Peer addresses are documentation addresses, origins and paths are drawn at random; timestamps are ' +
    'the generator’s own.',
  incident: {
    modelledOn: 'YouTube / Pakistan Telecom prefix hijack, 24 February 2008 (public post-mortems)',
    victimAsn: YOUTUBE_ASN,
    hijackerAsn: PAKISTAN_TELECOM_ASN,
    hijackerUpstreamAsn: PCCW_ASN,
    victimPrefix: INCIDENT_PREFIXES.victimCovering,
    hijackedPrefix: INCIDENT_PREFIXES.hijacked,
    counterPrefixes: [...INCIDENT_PREFIXES.victimMoreSpecifics],
    summary:
      'AS36561 (YouTube) originates 208.65.152.0/22. AS17557 (Pakistan Telecom) announces the more-specific ' +
      '208.65.153.0/24 through its upstream AS3491 (PCCW) and most peers follow within minutes. YouTube then ' +
      'announces 208.65.153.0/24 itself, later the /25s 208.65.153.0/25 and 208.65.153.128/25, and finally ' +
      'AS3491 withdraws the hijacked route.',
    realTimeline: [
      { utc: '2008-02-24T18:47Z', event: 'AS17557 announces 208.65.153.0/24 via AS3491' },
      { utc: '2008-02-24T20:07Z', event: 'AS36561 announces 208.65.153.0/24' },
      { utc: '2008-02-24T20:18Z', event: 'AS36561 announces 208.65.153.0/25 and 208.65.153.128/25' },
      { utc: '2008-02-24T20:59Z', event: 'AS3491 withdraws the hijacked route' },
    ],
  },
} as const;
