// Server-side data of the backfills page: the first page of runs, or the reason it is missing
// (the page still renders when the database is down).

import { toApiBackfillRun, type ApiBackfillRun } from '@/lib/api/backfills';
import { listBackfillRuns } from '@/lib/db/backfills';
import { toApiBackfillRpki } from '@/lib/api/rpki-contracts';
import { sumBackfillRpkiByRun } from '@/lib/db/rpki';

export async function loadBackfillRuns(limit: number): Promise<{ runs: ApiBackfillRun[]; error: string | null }> {
  try {
    const page = await listBackfillRuns({ limit });
    const now = Date.now();
    const rpki = await sumBackfillRpkiByRun(page.data.map((r) => r.id));
    return { runs: page.data.map((r) => ({ ...toApiBackfillRun(r, now), rpki: toApiBackfillRpki(rpki.get(r.id)) })), error: null };
  } catch (err) {
    return { runs: [], error: `backfill runs unavailable: ${(err as Error).message}` };
  }
}
