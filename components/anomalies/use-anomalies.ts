'use client';

// The anomaly list for a set of filters: first page from /api/v1/bgp/anomalies (parsed with the
// API contract), more pages on demand, live changes from the push stream (rows replaced in place,
// unknown anomalies trigger a refetch), and polling when there is no push stream.

import { useCallback, useEffect, useRef, useState } from 'react';
import { anomaliesPageSchema, filtersToQuery, type AnomalyListFilters } from '@/lib/api/anomalies-contract';
import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import { apiErrorSchema } from '@/lib/api/contracts';
import { applyAnomalyPush } from '@/lib/api/anomaly-list-state';
import { useAnomalyFeed, type AnomalyFeedStatus } from '@/components/anomalies/use-anomaly-feed';

const POLL_MS = 5_000;
const REFETCH_THROTTLE_MS = 1_000;
const FILTER_DEBOUNCE_MS = 300;

export interface AnomaliesView {
  anomalies: AnomalyDto[];
  loading: boolean;
  /** A 400 names the bad filter; other failures say what happened. */
  error: string | null;
  hasMore: boolean;
  loadMore: () => void;
  live: AnomalyFeedStatus;
  /** ids changed by the push stream in the last few seconds (highlighted). */
  freshIds: ReadonlySet<string>;
}

async function fetchPage(query: URLSearchParams): Promise<{ data: AnomalyDto[]; next: string | null }> {
  const res = await fetch(`/api/v1/bgp/anomalies?${query.toString()}`, { cache: 'no-store' });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = apiErrorSchema.safeParse(json);
    throw new Error(err.success ? err.data.error.message : `HTTP ${res.status}`);
  }
  const page = anomaliesPageSchema.parse(json);
  return { data: page.data, next: page.next_cursor };
}

export function useAnomalies(filters: AnomalyListFilters, opts: { limit?: number; extra?: Record<string, string> } = {}): AnomaliesView {
  const limit = opts.limit ?? 50;
  const queryText = filtersToQuery(filters, { limit: String(limit), ...(opts.extra ?? {}) }).toString();
  const [anomalies, setAnomalies] = useState<AnomalyDto[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());
  const generation = useRef(0);
  const lastRefetch = useRef(0);
  const pendingRefetch = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    lastRefetch.current = Date.now();
    try {
      const page = await fetchPage(new URLSearchParams(queryText));
      if (gen !== generation.current) return;
      setAnomalies(page.data);
      setNext(page.next);
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError((err as Error).message);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }, [queryText]);

  useEffect(() => {
    setLoading(true);
    const t = setTimeout(() => void reload(), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [reload]);

  const scheduleRefetch = useCallback(() => {
    if (pendingRefetch.current) return;
    const wait = Math.max(0, lastRefetch.current + REFETCH_THROTTLE_MS - Date.now());
    pendingRefetch.current = setTimeout(() => {
      pendingRefetch.current = null;
      void reload();
    }, wait);
  }, [reload]);
  useEffect(() => () => {
    if (pendingRefetch.current) clearTimeout(pendingRefetch.current);
  }, []);

  const feed = useAnomalyFeed((msg) => {
    setAnomalies((list) => {
      const r = applyAnomalyPush(list, msg);
      if (r.refetch) scheduleRefetch();
      return r.list;
    });
    setFreshIds((s) => new Set([...s, msg.anomaly.id]));
    setTimeout(() => setFreshIds((s) => {
      const n = new Set(s);
      n.delete(msg.anomaly.id);
      return n;
    }), 3_000);
  }, { onGap: scheduleRefetch });

  useEffect(() => {
    if (feed.status !== 'polling') return;
    const t = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(t);
  }, [feed.status, reload]);

  const loadMore = useCallback(() => {
    if (!next) return;
    const q = new URLSearchParams(queryText);
    q.set('cursor', next);
    const gen = generation.current;
    void fetchPage(q)
      .then((page) => {
        if (gen !== generation.current) return;
        setAnomalies((list) => [...list, ...page.data.filter((a) => !list.some((b) => b.id === a.id))]);
        setNext(page.next);
      })
      .catch((err: Error) => setError(err.message));
  }, [next, queryText]);

  return { anomalies, loading, error, hasMore: next !== null, loadMore, live: feed.status, freshIds };
}
