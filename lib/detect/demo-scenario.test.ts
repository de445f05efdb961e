import { describe, expect, it } from 'vitest';
import { generateDemoStream, incidentSchedule, INCIDENT_PREFIXES } from '@/lib/demo/generator';
import { PAKISTAN_TELECOM_ASN, YOUTUBE_ASN } from '@/lib/demo/topology';
import { parseServerFrame } from '@/lib/sources/ris-live/messages';
import { normalizeRisMessage } from '@/lib/sources/ris-live/normalize';
import type { BgpEvent } from '@/lib/bgp/types';
import { baselineCacheFromEvents } from '@/lib/detect/baseline-from-events';
import { DEFAULT_DETECTION_CONFIG } from '@/lib/detect/config';
import { Detector } from '@/lib/detect/detector';
import type { Anomaly } from '@/lib/detect/types';

// The project's own demo stream: a quiet baseline, then the 2008 YouTube / Pakistan Telecom hijack.
const opts = { seed: 20080224, baselineMinutes: 10, incidentMinutes: 5, prefixCount: 2000, peerCount: 60, messagesPerSecond: 40 };
const start = Date.UTC(2026, 0, 1);
const schedule = incidentSchedule({ startTimeMs: start, baselineMinutes: opts.baselineMinutes, incidentMinutes: opts.incidentMinutes });

function demoEvents(): BgpEvent[] {
  const out: BgpEvent[] = [];
  for (const line of generateDemoStream({ ...opts, startTimeMs: start })) {
    const f = parseServerFrame(line, 1 << 20);
    if (f.kind === 'ris_message') for (const e of normalizeRisMessage(f.data, { storeRaw: false })) out.push(e);
  }
  return out;
}

function run(detector: Detector, events: BgpEvent[], batch = 500): Map<string, Anomaly> {
  const seen = new Map<string, Anomaly>();
  for (let i = 0; i < events.length; i += batch) {
    for (const a of detector.processBatch(events.slice(i, i + batch)).changed) seen.set(a.dedupKey, { ...a });
  }
  return seen;
}

const serious = (a: Anomaly) => a.severity === 'critical' || a.severity === 'high';

describe('demo stream scenario (YouTube / Pakistan Telecom 2008)', async () => {
  const events = demoEvents();
  const cut = schedule.incidentStartMs * 1000;
  const quiet = events.filter((e) => e.timestampUs < cut);
  const incident = events.filter((e) => e.timestampUs >= cut);
  const baselines = await baselineCacheFromEvents(quiet);

  it('the quiet baseline yields no critical or high alert', () => {
    const detector = new Detector(baselines, DEFAULT_DETECTION_CONFIG);
    const found = [...run(detector, quiet).values()];
    expect(found.filter(serious)).toEqual([]);
  });

  it('detects the sub-prefix hijack of 208.65.153.0/24 by AS17557 and ends it after the withdrawal', () => {
    const detector = new Detector(baselines, DEFAULT_DETECTION_CONFIG);
    run(detector, quiet);
    const found = [...run(detector, incident).values()];
    const hijack = found.filter((a) => a.type === 'more_specific' && a.prefix === INCIDENT_PREFIXES.hijacked && a.originAsn === PAKISTAN_TELECOM_ASN);
    expect(hijack).toHaveLength(1);
    const h = hijack[0]!;
    expect(h.baselineOrigins).toEqual([YOUTUBE_ASN]);
    expect(['critical', 'high']).toContain(h.severity);
    expect(h.startedAtUs).toBeGreaterThanOrEqual(schedule.hijackMs * 1000);
    expect(h.evidence.peers.length).toBeGreaterThanOrEqual(10);
    expect(h.evidence.samples[0]?.asPath.at(-1)).toBe(PAKISTAN_TELECOM_ASN);
    expect(h.status).toBe('resolved');
    expect(h.endedAtUs).toBeGreaterThanOrEqual(schedule.hijackWithdrawnMs * 1000);
    // YouTube's own counter-announcements are not hijacks.
    expect(found.filter((a) => serious(a) && a.originAsn === YOUTUBE_ASN)).toEqual([]);
    expect(found.filter(serious).map((a) => a.dedupKey)).toEqual([h.dedupKey]);
  });

  it('replaying the same interval twice creates nothing new', () => {
    const detector = new Detector(baselines, DEFAULT_DETECTION_CONFIG);
    const first = run(detector, [...quiet, ...incident]);
    const second = run(detector, [...quiet, ...incident]);
    expect([...second.values()].filter((a) => !first.has(a.dedupKey)).map((a) => [a.dedupKey, a.summary, a.startedAtUs, a.status])).toEqual([]);
    const fresh = run(new Detector(baselines, DEFAULT_DETECTION_CONFIG), [...quiet, ...incident]);
    expect([...fresh.keys()].sort()).toEqual([...first.keys()].sort());
  });
});
