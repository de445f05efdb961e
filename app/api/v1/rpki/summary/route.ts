import { errorToResponse, jsonResponse } from '@/lib/api/http';
import { toSummaryResponse } from '@/lib/api/rpki-contracts';
import { getRpkiState, listRpkiSources } from '@/lib/db/rpki';
import { ROUTE_SUMMARY_KEY } from '@/lib/rpki/summary';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  try {
    const [state, sources] = await Promise.all([getRpkiState(ROUTE_SUMMARY_KEY), listRpkiSources()]);
    return jsonResponse(toSummaryResponse(state, sources, Date.now()));
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/rpki/summary');
  }
}
