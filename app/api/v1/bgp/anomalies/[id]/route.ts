import { parseAnomalyId } from '@/lib/api/anomalies-contract';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { errorResponse, errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { getAnomaly } from '@/lib/db/anomalies';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseAnomalyId((await ctx.params).id);
  if (!id.ok) return invalidParameter(id.message);
  try {
    const anomaly = await getAnomaly(id.value);
    if (!anomaly) return errorResponse(404, 'not_found', `id: no anomaly ${id.value}`);
    return jsonResponse({ data: toAnomalyDto(anomaly) });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/anomalies/[id]');
  }
}
