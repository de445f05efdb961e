import { parseWindowQuery } from '@/lib/api/anomalies-contract';
import { toSummaryDto } from '@/lib/api/anomaly-views';
import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { summarizeAnomalies } from '@/lib/db/anomaly-summary';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const window = parseWindowQuery(new URL(request.url).searchParams);
  if (!window.ok) return invalidParameter(window.message);
  try {
    return jsonResponse({ data: toSummaryDto(await summarizeAnomalies(window.value)) });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/anomalies/summary');
  }
}
