import { parseAnomaliesQuery } from '@/lib/api/anomalies-contract';
import { toAnomalyDto } from '@/lib/api/anomaly-dto';
import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { listAnomalies } from '@/lib/db/anomalies';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const query = parseAnomaliesQuery(new URL(request.url).searchParams);
  if (!query.ok) return invalidParameter(query.message);
  try {
    const page = await listAnomalies(query.value);
    return jsonResponse({ data: page.data.map(toAnomalyDto), next_cursor: page.nextCursor });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/anomalies');
  }
}
