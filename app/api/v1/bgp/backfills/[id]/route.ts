import { parseRunId, toApiBackfillFile, toApiBackfillRun } from '@/lib/api/backfills';
import { errorResponse, errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { getBackfillRun } from '@/lib/db/backfills';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseRunId((await ctx.params).id);
  if (!id.ok) return invalidParameter(id.message);
  try {
    const found = await getBackfillRun(id.value);
    if (!found) return errorResponse(404, 'not_found', `id: no backfill run ${id.value}`);
    return jsonResponse({ data: { ...toApiBackfillRun(found.run, Date.now()), files: found.files.map(toApiBackfillFile) } });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/backfills/[id]');
  }
}
