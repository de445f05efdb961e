// Run totals follow each committed batch incrementally (commitFileProgress adds the change) and
// agree with the full re-sum done at each file end.

import { afterAll, describe, expect, it } from 'vitest';
import { claimBackfillFile, commitFileProgress, createBackfillRun, finishBackfillFile, getBackfillRunRow, type FileProgress } from '@/lib/db/backfills';
import { closeDb, getPgPool } from '@/lib/db/client';

afterAll(async () => {
  await closeDb();
});

const progress = (records: number, events: number, inserted: number): FileProgress => ({
  records,
  events,
  inserted,
  duplicates: events - inserted,
  skipped: 0,
  byteOffset: records * 100,
});

describe('backfill run totals', () => {
  it('adds each batch once, ignores repeated commits of the same progress, and equals the re-sum at file end', async () => {
    const files = ['a', 'b'].map((n) => ({ location: `/tmp/totals-${process.pid}-${n}.mrt`, project: null, collector: 'rrc00', dumpType: 'updates' as const, initialTime: null, duration: null }));
    const run = await createBackfillRun({ kind: 'files', files: files.map((f) => f.location) }, files);
    const rows = await getPgPool().query<{ id: string }>('SELECT id::text FROM backfill_files WHERE run_id = $1 ORDER BY id', [run.id]);
    const [fa, fb] = await Promise.all(rows.rows.map((r) => claimBackfillFile(r.id)));
    expect(fa && fb).toBeTruthy();

    await commitFileProgress(fa!, progress(10, 30, 25));
    await commitFileProgress(fb!, progress(5, 12, 12));
    await commitFileProgress(fa!, progress(20, 70, 60));
    await commitFileProgress(fa!, progress(20, 70, 60)); // a repeated commit (retry) changes nothing
    let r = await getBackfillRunRow(run.id);
    expect(r).toMatchObject({ records: 25, events: 82, inserted: 72, duplicates: 10, filesDone: 0 });

    await finishBackfillFile(fa!, { status: 'done', progress: progress(22, 75, 64) });
    r = await getBackfillRunRow(run.id);
    expect(r).toMatchObject({ records: 27, events: 87, inserted: 76, duplicates: 11, filesDone: 1, status: 'running' });

    // A finished file takes no more progress (a stale worker's late commit).
    await commitFileProgress(fa!, progress(99, 999, 999));
    await commitFileProgress(fb!, progress(8, 20, 18));
    r = await getBackfillRunRow(run.id);
    expect(r).toMatchObject({ records: 30, events: 95, inserted: 82, duplicates: 13 });
    expect(await finishBackfillFile(fb!, { status: 'done', progress: null })).toBe('done');
    expect(await getBackfillRunRow(run.id)).toMatchObject({ records: 30, events: 95, filesDone: 2, status: 'done' });
  });
});
