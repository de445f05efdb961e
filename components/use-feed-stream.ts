'use client';

// Live feed over Server-Sent Events (/api/v1/stream). Each `event: feed` message is parsed with
// the same zod contract the server uses; anything that does not fit is counted and ignored.

import { useEffect, useRef, useState } from 'react';
import { streamFeedEventSchema } from '@/lib/api/contracts';
import type { ApiBgpEvent } from '@/lib/api/types';
import type { FeedState } from '@/lib/feed/types';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting';

export interface RateSample {
  atMs: number;
  messagesPerSecond: number;
  eventsPerSecond: number;
}

export interface FeedStreamView {
  feed: FeedState | null;
  events: ApiBgpEvent[];
  /** ids of rows that arrived through the stream in the last few seconds (highlighted). */
  freshIds: ReadonlySet<string>;
  rateHistory: RateSample[];
  status: StreamStatus;
  invalidMessages: number;
}

const FRESH_MS = 3000;
const HISTORY = 90;

/** Newest first by event time, then id; duplicates (same id) collapse. */
export function mergeEvents(incoming: ApiBgpEvent[], current: ApiBgpEvent[], max: number): ApiBgpEvent[] {
  const byId = new Map<string, ApiBgpEvent>();
  for (const e of [...incoming, ...current]) if (!byId.has(e.id)) byId.set(e.id, e);
  return [...byId.values()]
    .sort((a, b) => (a.timestamp === b.timestamp ? compareIds(b.id, a.id) : a.timestamp < b.timestamp ? 1 : -1))
    .slice(0, max);
}

function compareIds(a: string, b: string): number {
  return a.length === b.length ? (a < b ? -1 : a > b ? 1 : 0) : a.length - b.length;
}

export function useFeedStream(
  initial: { feed: FeedState | null; events: ApiBgpEvent[] },
  opts: { url?: string; maxRows?: number } = {},
): FeedStreamView {
  const url = opts.url ?? '/api/v1/stream';
  const maxRows = opts.maxRows ?? 50;
  const [feed, setFeed] = useState<FeedState | null>(initial.feed);
  const [events, setEvents] = useState<ApiBgpEvent[]>(initial.events);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  const [rateHistory, setRateHistory] = useState<RateSample[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [invalidMessages, setInvalid] = useState(0);
  const freshTimers = useRef(new Set<ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const source = new EventSource(url);
    const timers = freshTimers.current;
    source.onopen = () => setStatus('open');
    // EventSource reconnects by itself (after the server's retry: hint); show that state.
    source.onerror = () => setStatus('reconnecting');
    source.addEventListener('feed', (msg: MessageEvent<string>) => {
      let json: unknown;
      try {
        json = JSON.parse(msg.data);
      } catch {
        setInvalid((n) => n + 1);
        return;
      }
      const parsed = streamFeedEventSchema.safeParse(json);
      if (!parsed.success) {
        setInvalid((n) => n + 1);
        return;
      }
      const { feed: nextFeed, latest } = parsed.data;
      setStatus('open');
      if (nextFeed) {
        setFeed(nextFeed);
        setRateHistory((h) => [
          ...h.slice(-(HISTORY - 1)),
          { atMs: nextFeed.updatedAtMs, messagesPerSecond: nextFeed.messagesPerSecond, eventsPerSecond: nextFeed.eventsPerSecond },
        ]);
      }
      if (latest.length > 0) {
        setEvents((cur) => mergeEvents(latest, cur, maxRows));
        const ids = latest.map((e) => e.id);
        setFreshIds((cur) => new Set([...cur, ...ids]));
        const t = setTimeout(() => {
          timers.delete(t);
          setFreshIds((cur) => {
            const next = new Set(cur);
            for (const id of ids) next.delete(id);
            return next;
          });
        }, FRESH_MS);
        timers.add(t);
      }
    });
    return () => {
      source.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };
  }, [url, maxRows]);

  return { feed, events, freshIds, rateHistory, status, invalidMessages };
}
