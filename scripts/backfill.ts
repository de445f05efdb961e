// `npm run backfill -- --file <mrt>...` or `--from/--to [--collector] [--type]`: creates a backfill
// run and follows it with a progress bar until it ends. Queued by default (a worker processes
// it: npm start's, or `npm run worker`); --inline processes it in this process.

import { getEnv } from '@/lib/env';
import { BACKFILL_USAGE, parseBackfillArgs } from '@/lib/backfill/cli-args';
import { runBackfillInline } from '@/lib/backfill/inline';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { progressLine } from '@/lib/backfill/progress';
import { startBackfill } from '@/lib/backfill/runs';
import { getBackfillRun } from '@/lib/db/backfills';
import { closeDb } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { closeBackfillFlows } from '@/lib/queue/backfill-flow';
import { closeQueues } from '@/lib/queue/jobs';

const FINAL = new Set(['done', 'partial', 'failed']);
const tty = process.stderr.isTTY;

async function showProgress(id: string, stop: () => boolean): Promise<string> {
  let lastLog = 0;
  let status = 'planning';
  const started = Date.now();
  let hinted = false;
  for (;;) {
    const found = await getBackfillRun(id);
    if (found) {
      const { run } = found;
      status = run.status;
      const line = progressLine(run, Date.now());
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (Date.now() - lastLog >= 5_000 || FINAL.has(status)) {
        process.stderr.write(`${line}\n`);
        lastLog = Date.now();
      }
      if (!hinted && !stop() && run.filesDone + run.filesFailed === 0 && run.events === 0 && Date.now() - started > 20_000) {
        process.stderr.write(`${tty ? '\n' : ''}run ${id} has not started: is a worker running? (npm run worker, or use --inline)\n`);
        hinted = true;
      }
    }
    if (FINAL.has(status) || stop()) break;
    await new Promise((r) => setTimeout(r, tty ? 250 : 1_000));
  }
  if (tty) process.stderr.write('\n');
  return status;
}

async function summary(id: string): Promise<void> {
  const found = await getBackfillRun(id);
  if (!found) return;
  const { run, files } = found;
  console.log(`backfill run ${id}: ${run.status} — ${run.filesDone}/${run.filesTotal} files, ${run.events} events (${run.inserted} new, ${run.duplicates} already stored), ${run.filesFailed} failed`);
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
    let runId: string | null = null;
    let finished = false;
    const work = runBackfillInline(args.request, {
      read: mrtFileReader({ storeRaw: env.BACKFILL_STORE_RAW }),
      logger: getLogger().child({ module: 'backfill-cli' }),
      cacheDir: env.BACKFILL_CACHE_DIR,
      batchSize: args.batchSize ?? env.INGEST_BATCH_SIZE,
      onRunCreated: (id) => (runId = id),
    }).finally(() => (finished = true));
    // The bar follows the run's rows while this process fills them.
    while (runId === null && !finished) await new Promise((r) => setTimeout(r, 20));
    const bar = runId === null ? Promise.resolve('failed') : showProgress(runId, () => finished);
    const result = await work;
    await bar;
    await summary(result.id);
    return result.status === 'done' ? 0 : 1;
  }
  const { id } = await startBackfill(args.request);
  console.log(`backfill run ${id} enqueued`);
  if (!args.wait) return 0;
  const status = await showProgress(id, () => false);
  await summary(id);
  return status === 'done' ? 0 : 1;
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
