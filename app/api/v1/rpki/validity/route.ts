import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { parseValidityQuery, toValidityResponse } from '@/lib/api/rpki-contracts';
import { listCoveringVrps } from '@/lib/db/rpki';
import { VrpIndex } from '@/lib/rpki/vrp-index';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const q = parseValidityQuery(new URL(request.url).searchParams);
  if (!q.ok) return invalidParameter(q.message);
  try {
    // The covering VRPs come from PostgreSQL; the verdict from the same RFC 6811 code the worker uses.
    const covering = await listCoveringVrps(q.value.prefix);
    return jsonResponse(toValidityResponse(q.value, VrpIndex.build(covering).index.validate(q.value.prefix, q.value.origin_asn)));
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/rpki/validity');
  }
}
