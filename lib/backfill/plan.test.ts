import { describe, expect, it } from 'vitest';
import { collectorsFromSubscribe, dumpFileForPath, gapBackfillRequest, gapIsReady } from '@/lib/backfill/plan';
import { formatDuration, progressLine, runProgress } from '@/lib/backfill/progress';

describe('dumpFileForPath', () => {
  it('reads collector, project, type and time from archive-style names', () => {
    expect(dumpFileForPath('/x/libbgpstream/ris.rrc06.updates.1427846400.gz')).toMatchObject({ project: 'ris', collector: 'rrc06', dumpType: 'updates', initialTime: 1427846400 });
    expect(dumpFileForPath('/x/routeviews.route-views.jinx.updates.1427846400.bz2')).toMatchObject({ project: 'routeviews', collector: 'route-views.jinx', dumpType: 'updates' });
    expect(dumpFileForPath('/a/ripe/rrc15/2010.02/updates.20100227.1600.gz')).toMatchObject({
      project: 'ris',
      collector: 'rrc15',
      dumpType: 'updates',
      initialTime: Date.UTC(2010, 1, 27, 16, 0) / 1000,
    });
    expect(dumpFileForPath('/a/rrc00/2000.01/bview.20000111.0032.gz')).toMatchObject({ collector: 'rrc00', dumpType: 'ribs' });
  });
  it('falls back to "local", and an explicit collector wins', () => {
    expect(dumpFileForPath('dump.mrt')).toMatchObject({ collector: 'local', dumpType: 'unknown', project: null, initialTime: null });
    expect(dumpFileForPath('/a/rrc15/updates.20100227.1600.gz', 'mine')).toMatchObject({ collector: 'mine' });
  });
});

describe('gap planning', () => {
  const gap = { id: '7', fromUs: 1_700_000_000_500_000, toUs: 1_700_000_100_200_000, endedAtMs: 1_700_000_101_000 };
  it('widens the event-time interval by the margin, in whole seconds', () => {
    expect(gapBackfillRequest(gap, { marginSeconds: 60, collectors: ['rrc21'] })).toEqual({
      kind: 'archive',
      from: 1_700_000_000 - 60,
      to: 1_700_000_101 + 60,
      collectors: ['rrc21'],
      projects: ['ris'],
      type: 'updates',
      gapId: '7',
    });
  });
  it('waits for the archive to be published', () => {
    expect(gapIsReady(gap, gap.endedAtMs + 599_000, 600)).toBe(false);
    expect(gapIsReady(gap, gap.endedAtMs + 600_000, 600)).toBe(true);
  });
  it('takes the collectors from the live subscription', () => {
    expect(collectorsFromSubscribe('{"type":"UPDATE"}')).toEqual([]);
    expect(collectorsFromSubscribe('[{"host":"rrc21.ripe.net"},{"host":"rrc00"}]')).toEqual(['rrc00', 'rrc21']);
    expect(collectorsFromSubscribe('[{"host":"rrc21"},{"type":"UPDATE"}]')).toEqual([]);
    expect(collectorsFromSubscribe('not json')).toEqual([]);
  });
});

describe('progress', () => {
  const base = { filesTotal: 10, filesDone: 0, filesFailed: 0, events: 0, startedAtMs: null as number | null, finishedAtMs: null as number | null };
  it('is unknown before the run starts', () => {
    expect(runProgress(base, 1000)).toEqual({ fraction: 0, eventsPerSecond: null, etaSeconds: null, elapsedSeconds: null });
  });
  it('derives rate and ETA from finished files', () => {
    const p = runProgress({ ...base, filesDone: 3, filesFailed: 1, events: 200_000, startedAtMs: 0 }, 40_000);
    expect(p.fraction).toBe(0.4);
    expect(p.eventsPerSecond).toBe(5000);
    expect(p.etaSeconds).toBe(60); // 10 s per file, 6 left
  });
  it('stops the clock when the run finishes', () => {
    const p = runProgress({ ...base, filesDone: 10, events: 1000, startedAtMs: 0, finishedAtMs: 10_000 }, 99_000);
    expect(p).toMatchObject({ fraction: 1, eventsPerSecond: 100, etaSeconds: 0, elapsedSeconds: 10 });
  });
  it('formats a progress line', () => {
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(null)).toBe('—');
    const line = progressLine({ ...base, filesDone: 5, filesFailed: 0, events: 1_234_567, startedAtMs: 0, status: 'running' }, 10_000, 10);
    expect(line).toBe('[#####.....] 5/10 files  1,234,567 events  123,457 ev/s  ETA 10s  running');
  });
});
