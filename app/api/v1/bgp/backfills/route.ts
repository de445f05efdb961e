import { parseBackfillBody, parseBackfillListQuery, toApiBackfillRun } from '@/lib/api/backfills';
import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { startBackfill } from '@/lib/backfill/runs';
import { listBackfillRuns } from '@/lib/db/backfills';
import { toApiBackfillRpki } from '@/lib/api/rpki-contracts';
import { sumBackfillRpkiByRun } from '@/lib/db/rpki';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const query = parseBackfillListQuery(new URL(request.url).searchParams);
  if (!query.ok) return invalidParameter(query.message);
  try {
    const page = await listBackfillRuns(query.value);
    const rpki = await sumBackfillRpkiByRun(page.data.map((r) => r.id));
    return jsonResponse({ data: page.data.map((r) => ({ ...toApiBackfillRun(r, Date.now()), rpki: toApiBackfillRpki(rpki.get(r.id)) })), next_cursor: page.nextCursor });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/backfills');
  }
}

/** Creates a run and enqueues it; the work happens in the worker. */
export async function POST(request: Request): Promise<Response> {
  const body = await request.json().catch(() => undefined);
  if (body === undefined) return invalidParameter('body: must be JSON');
  const parsed = parseBackfillBody(body);
  if (!parsed.ok) return invalidParameter(parsed.message);
  try {
    return jsonResponse({ data: await startBackfill(parsed.value) }, 202);
  } catch (err) {
    return errorToResponse(err, 'POST /api/v1/bgp/backfills');
  }
}
