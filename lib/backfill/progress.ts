// Progress figures of a run for the CLI bar, the API and the page. Pure: `nowMs` comes in.
// Rate and ETA are wall-clock figures about the backfill itself, not about event time.

import type { BackfillRunRow, RunProgress } from '@/lib/backfill/types';

export function runProgress(run: Pick<BackfillRunRow, 'filesTotal' | 'filesDone' | 'filesFailed' | 'events' | 'startedAtMs' | 'finishedAtMs'>, nowMs: number): RunProgress {
  const finished = run.filesDone + run.filesFailed;
  const fraction = run.filesTotal > 0 ? Math.min(1, finished / run.filesTotal) : 0;
  if (run.startedAtMs === null) return { fraction, eventsPerSecond: null, etaSeconds: null, elapsedSeconds: null };
  const endMs = run.finishedAtMs ?? nowMs;
  const elapsedSeconds = Math.max(0, (endMs - run.startedAtMs) / 1000);
  const eventsPerSecond = elapsedSeconds > 0 ? run.events / elapsedSeconds : null;
  let etaSeconds: number | null = null;
  if (run.finishedAtMs !== null || (run.filesTotal > 0 && finished >= run.filesTotal)) etaSeconds = 0;
  // Remaining files at the average pace of the finished ones.
  else if (finished > 0 && elapsedSeconds > 0) etaSeconds = (elapsedSeconds / finished) * (run.filesTotal - finished);
  return { fraction, eventsPerSecond, etaSeconds, elapsedSeconds };
}

/** "1h02m", "3m05s", "42s"; "—" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** One line: `[#####.....] 12/40 files  1,234,567 events  52,000 ev/s  ETA 3m05s  2 errors`. */
export function progressLine(run: Pick<BackfillRunRow, 'filesTotal' | 'filesDone' | 'filesFailed' | 'events' | 'startedAtMs' | 'finishedAtMs' | 'status'>, nowMs: number, width = 30): string {
  const p = runProgress(run, nowMs);
  const filled = Math.round(p.fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = p.eventsPerSecond === null ? '— ev/s' : `${Math.round(p.eventsPerSecond).toLocaleString('en-US')} ev/s`;
  const errors = run.filesFailed > 0 ? `  ${run.filesFailed} error${run.filesFailed === 1 ? '' : 's'}` : '';
  return `${bar} ${run.filesDone + run.filesFailed}/${run.filesTotal} files  ${run.events.toLocaleString('en-US')} events  ${rate}  ETA ${formatDuration(p.etaSeconds)}${errors}  ${run.status}`;
}
