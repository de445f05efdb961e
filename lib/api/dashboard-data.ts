// Adapter: the dashboard's first paint (newest stored events + current feed state). Never throws:
// the page must render even while PostgreSQL or Redis is down, and the live push fills in later.

import type { ApiBgpEvent } from '@/lib/api/types';
import { readyRedis } from '@/lib/api/health-probe';
import { withTimeout } from '@/lib/api/http';
import { toApiEvent } from '@/lib/api/serialize';
import { listEvents } from '@/lib/db/events';
import { readFeedState } from '@/lib/feed/state';
import type { FeedState } from '@/lib/feed/types';
import { getLogger } from '@/lib/log';

export interface DashboardData {
  feed: FeedState | null;
  events: ApiBgpEvent[];
  error: string | null;
}

const TIMEOUT_MS = 2_000;

export async function loadDashboardData(limit = 50): Promise<DashboardData> {
  const log = getLogger().child({ module: 'dashboard' });
  const [events, feed] = await Promise.allSettled([
    withTimeout(listEvents({ limit }), TIMEOUT_MS, 'PostgreSQL'),
    readyRedis(TIMEOUT_MS).then((r) => withTimeout(readFeedState(r), TIMEOUT_MS, 'Redis')),
  ]);
  const problems: string[] = [];
  if (events.status === 'rejected') {
    log.warn({ err: events.reason }, 'initial events unavailable');
    problems.push('database unavailable');
  }
  if (feed.status === 'rejected') {
    log.warn({ err: feed.reason }, 'feed state unavailable');
    problems.push('Redis unavailable');
  }
  return {
    events: events.status === 'fulfilled' ? events.value.data.map(toApiEvent) : [],
    feed: feed.status === 'fulfilled' ? feed.value : null,
    error: problems.length ? problems.join(', ') : null,
  };
}
