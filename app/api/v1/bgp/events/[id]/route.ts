import { parseEventId } from '@/lib/api/contracts';
import { errorResponse, errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { toApiEvent } from '@/lib/api/serialize';
import { getEventById } from '@/lib/db/events';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const id = parseEventId((await ctx.params).id);
  if (!id.ok) return invalidParameter(id.message);
  try {
    const event = await getEventById(id.value);
    if (!event) return errorResponse(404, 'not_found', `id: no event ${id.value} (it may have aged out of the retention window)`);
    return jsonResponse({ data: toApiEvent(event) });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/events/[id]');
  }
}
