import { parseEventsQuery } from '@/lib/api/contracts';
import { errorToResponse, invalidParameter, jsonResponse } from '@/lib/api/http';
import { toApiEvent } from '@/lib/api/serialize';
import { listEvents } from '@/lib/db/events';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(request: Request): Promise<Response> {
  const query = parseEventsQuery(new URL(request.url).searchParams);
  if (!query.ok) return invalidParameter(query.message);
  try {
    const page = await listEvents(query.value);
    return jsonResponse({ data: page.data.map(toApiEvent), next_cursor: page.nextCursor });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/bgp/events');
  }
}
