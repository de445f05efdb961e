import { parseRunId, toApiBackfillFile, toApiBackfillRun } from '@/lib/api/backfills';
import { errorResponse, errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { getBackfillRun } from '@/lib/db/backfills';
import { toApiBackfillRpki } from '@/lib/api/rpki-contracts';
import { sumBackfillRpkiByFile, sumBackfillRpkiByRun } from '@/lib/db/rpki';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseRunId((await ctx.params).id);
  if (!id.ok) return invalidParameter(id.message);
  try {
    const found = await getBackfillRun(id.value);
    if (!found) return errorResponse(404, 'not_found', `id: no backfill run ${id.value}`);
    const [byRun, byFile] = await Promise.all([sumBackfillRpkiByRun([found.run.id]), sumBackfillRpkiByFile(found.run.id)]);
    const files = found.files.map((f) => ({ ...toApiBackfillFile(f), rpki: toApiBackfillRpki(byFile.get(f.id)) }));
    return jsonResponse({ data: { ...toApiBackfillRun(found.run, Date.now()), rpki: toApiBackfillRpki(byRun.get(found.run.id)), files } });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/backfills/[id]');
  }
}
