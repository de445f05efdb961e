import { describe, expect, it } from 'vitest';
import type { StoredRpkiSource } from '@/lib/db/rpki';
import { buildRpkiHealth } from '@/lib/rpki/health';
import type { RouteSummary } from '@/lib/rpki/summary';

const NOW = Date.UTC(2026, 10, 22, 12);
const stored: StoredRpkiSource = { sourceId: 'rtr:a:1', kind: 'rtr', serial: 3, sessionId: 1, vrpCount: 5, aspaCount: 0, generatedAtMs: null, loadedAtMs: NOW - 600_000, lastError: null, lastErrorAtMs: null };
const summary = (stale: boolean, updatedAtMs = NOW - 1000): RouteSummary => ({
  counts: { pairs: 0, valid: 0, invalid: 0, notFound: 0, overflow: 0 },
  index: { vrps: 5, ipv4: 5, ipv6: 0, aspas: 0, version: 1, builtAtMs: NOW, buildMs: 1 },
  sources: [{ id: 'rtr:a:1', kind: 'rtr', serial: 3, sessionId: 1, vrpCount: 5, aspaCount: 0, lastSuccessMs: NOW - 60_000, lastErrorMs: null, lastError: stale ? 'connection closed' : null, stale }],
  revalidation: { lastMs: null, lastAtMs: null, changed: 0 },
  anomalies: { raised: 0 },
  updatedAtMs,
});

describe('buildRpkiHealth', () => {
  it('is ok with no source configured', () => {
    expect(buildRpkiHealth(null, [], NOW)).toEqual({ status: 'ok', stale_sources: [], vrps: null, oldest_set_age_seconds: null });
  });
  it('is ok when every source is fresh', () => {
    expect(buildRpkiHealth({ value: summary(false), updatedAtMs: NOW }, [stored], NOW)).toMatchObject({ status: 'ok', vrps: 5, oldest_set_age_seconds: 60 });
  });
  it('reports stale sources, and everything stale when the worker stopped publishing', () => {
    expect(buildRpkiHealth({ value: summary(true), updatedAtMs: NOW }, [stored], NOW)).toMatchObject({ status: 'error', stale_sources: ['rtr:a:1'], error: expect.stringContaining('last good set kept') });
    expect(buildRpkiHealth({ value: summary(false, NOW - 3_600_000), updatedAtMs: NOW }, [stored], NOW)).toMatchObject({ status: 'error', stale_sources: ['rtr:a:1'], error: expect.stringContaining('worker') });
    expect(buildRpkiHealth(null, [stored], NOW)).toMatchObject({ status: 'error', oldest_set_age_seconds: 600 });
  });
});
