import { parseBaselineRequest, toApiBaseline } from '@/lib/api/baseline-contracts';
import { errorResponse, errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { getPrefixBaseline } from '@/lib/db/baselines';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request, ctx: { params: Promise<{ prefix: string }> }): Promise<Response> {
  const req = parseBaselineRequest((await ctx.params).prefix, new URL(request.url).searchParams);
  if (!req.ok) return invalidParameter(req.message);
  try {
    const baseline = await getPrefixBaseline(req.value.prefix, req.value.window);
    if (!baseline) return errorResponse(404, 'not_found', `prefix: no ${req.value.window} baseline for ${req.value.prefix}`);
    return jsonResponse({ data: toApiBaseline(req.value.prefix, baseline) });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/prefixes/[prefix]/baseline');
  }
}
