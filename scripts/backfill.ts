// `npm run backfill -- --file <mrt>...` or `--from/--to [--collector] [--type]`: creates a backfill
// run and follows it with a progress bar until it ends. Queued by default (a worker processes
// it: npm start's, or `npm run worker`); --inline processes it in this process.

import { getEnv } from '@/lib/env';
import { BACKFILL_USAGE, parseBackfillArgs } from '@/lib/backfill/cli-args';
import { runBackfillInline } from '@/lib/backfill/inline';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { progressLine } from '@/lib/backfill/progress';
import { startBackfill } from '@/lib/backfill/runs';
import type { BackfillRunRow } from '@/lib/backfill/types';
import { getBackfillRunRow, listRunFiles } from '@/lib/db/backfills';
import { closeDb } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { closeBackfillFlows } from '@/lib/queue/backfill-flow';
import { closeQueues } from '@/lib/queue/jobs';

const FINAL = new Set(['done', 'partial', 'failed']);
const tty = process.stderr.isTTY;
/** A terminal redraws the bar 4 times a second; a log gets a line every 5 s. */
const POLL_MS = tty ? 250 : 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Redraws the bar from the run's row (not its files) until the run ends or `stop()`. Returns the
 * last row read, or null if the run was never found.
 */
async function showProgress(id: string, stop: () => boolean): Promise<BackfillRunRow | null> {
  let lastLog = 0;
  let last: BackfillRunRow | null = null;
  const started = Date.now();
  let hinted = false;
  for (;;) {
    const run = await getBackfillRunRow(id);
    if (run) {
      last = run;
      const line = progressLine(run, Date.now());
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (Date.now() - lastLog >= 5_000 || FINAL.has(run.status)) {
        process.stderr.write(`${line}\n`);
        lastLog = Date.now();
      }
      if (!hinted && !stop() && run.filesDone + run.filesFailed === 0 && run.events === 0 && Date.now() - started > 20_000) {
        process.stderr.write(`${tty ? '\n' : ''}run ${id} has not started: is a worker running? (npm run worker, or use --inline)\n`);
        hinted = true;
      }
    }
    if ((last && FINAL.has(last.status)) || stop()) break;
    await sleep(POLL_MS);
  }
  if (tty) process.stderr.write('\n');
  return last;
}

/** The closing lines. The run row comes from the bar; only failed files are read here. */
async function summary(id: string, known: BackfillRunRow | null): Promise<void> {
  const run = known && FINAL.has(known.status) ? known : await getBackfillRunRow(id);
  if (!run) return;
  console.log(`backfill run ${id}: ${run.status} — ${run.filesDone}/${run.filesTotal} files, ${run.events} events (${run.inserted} new, ${run.duplicates} already stored), ${run.filesFailed} failed`);
  if (run.filesFailed === 0) return;
  const files = await listRunFiles(id);
  for (const f of files.filter((x) => x.status === 'failed')) console.log(`  failed: ${f.location}: ${f.error ?? 'unknown error'}`);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseBackfillArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`backfill: ${(err as Error).message}\n${BACKFILL_USAGE}`);
    return 2;
  }
  const env = getEnv();
  if (args.inline) {
    let finished = false;
    let created: (id: string | null) => void = () => undefined;
    const runCreated = new Promise<string | null>((resolve) => (created = resolve));
    const work = runBackfillInline(args.request, {
      read: mrtFileReader({ storeRaw: env.BACKFILL_STORE_RAW }),
      logger: getLogger().child({ module: 'backfill-cli' }),
      cacheDir: env.BACKFILL_CACHE_DIR,
      batchSize: args.batchSize ?? env.INGEST_BATCH_SIZE,
      onRunCreated: (id) => created(id),
    }).finally(() => {
      finished = true;
      created(null); // no run was created (the first insert failed): no bar
    });
    // The bar follows the run's row while this process fills it.
    const runId = await runCreated;
    const bar = runId === null ? Promise.resolve(null) : showProgress(runId, () => finished);
    const result = await work;
    const last = await bar;
    await summary(result.id, last && last.status === result.status ? last : null);
    return result.status === 'done' ? 0 : 1;
  }
  const { id } = await startBackfill(args.request);
  console.log(`backfill run ${id} enqueued`);
  if (!args.wait) return 0;
  const last = await showProgress(id, () => false);
  await summary(id, last);
  return last?.status === 'done' ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`backfill failed: ${(err as Error).message}`);
} finally {
  await closeBackfillFlows();
  await closeQueues();
  await closeDb().catch(() => undefined);
}
process.exit(code);
