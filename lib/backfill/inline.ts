// --inline: a whole run in this process, file after file, without a worker (tests, laptops).
// Same run and file rows, same pipeline, as the queued path.

import type { BackfillRequest, BackfillRunStatus } from '@/lib/backfill/types';
import { processBackfillFile, type ProcessFileDeps } from '@/lib/backfill/process-file';
import { brokerQueryFor } from '@/lib/backfill/plan';
import { localDumpFiles } from '@/lib/backfill/runs';
import { addRunFiles, completeRunIfFinished, createBackfillRun, failBackfillRun } from '@/lib/db/backfills';
import { listDumpFiles, type BrokerClientOptions } from '@/lib/sources/bgpstream/broker';

export async function runBackfillInline(
  request: BackfillRequest,
  deps: ProcessFileDeps & { broker?: BrokerClientOptions; onRunCreated?: (id: string) => void },
): Promise<{ id: string; status: BackfillRunStatus | null }> {
  const run = await createBackfillRun(request, null);
  deps.onRunCreated?.(run.id);
  let files;
  try {
    files = request.kind === 'files' ? localDumpFiles(request) : (await listDumpFiles(brokerQueryFor(request), deps.broker)).files;
  } catch (err) {
    await failBackfillRun(run.id, (err as Error).message);
    return { id: run.id, status: 'failed' };
  }
  if (files.length === 0) {
    await failBackfillRun(run.id, 'no files to backfill');
    return { id: run.id, status: 'failed' };
  }
  const rows = await addRunFiles(run.id, files);
  let status: BackfillRunStatus | null = null;
  for (const f of rows) {
    const r = await processBackfillFile(f.id, deps, { lastAttempt: true });
    status = r.runStatus ?? status;
  }
  return { id: run.id, status: status ?? (await completeRunIfFinished(run.id)) };
}
