import { openFeedStream } from '@/lib/api/feed-stream';
import { errorToResponse } from '@/lib/api/http';
import { SSE_HEADERS } from '@/lib/api/sse';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Server-Sent Events: `event: feed` with the current feed state first, then every FeedUpdate. */
export async function GET(request: Request): Promise<Response> {
  try {
    const stream = await openFeedStream(request.signal);
    return new Response(stream, { headers: SSE_HEADERS });
  } catch (err) {
    return errorToResponse(err, 'GET /api/v1/stream');
  }
}
