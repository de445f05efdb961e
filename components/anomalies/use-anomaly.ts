'use client';

// One anomaly for the drill-down page (/api/v1/bgp/anomalies/{id}), kept current by the push
// stream (or polled without it).

import { useCallback, useEffect, useState } from 'react';
import { anomalyResponseSchema } from '@/lib/api/anomalies-contract';
import type { AnomalyDto } from '@/lib/api/anomaly-dto';
import { apiErrorSchema } from '@/lib/api/contracts';
import { useAnomalyFeed, type AnomalyFeedStatus } from '@/components/anomalies/use-anomaly-feed';

export function useAnomaly(id: string): { anomaly: AnomalyDto | null; error: string | null; notFound: boolean; live: AnomalyFeedStatus } {
  const [anomaly, setAnomaly] = useState<AnomalyDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);

  const load = useCallback(async () => {
    try {
      const res = await fetch(`/api/v1/bgp/anomalies/${encodeURIComponent(id)}`, { cache: 'no-store' });
      const json: unknown = await res.json().catch(() => null);
      if (res.status === 404) {
        setNotFound(true);
        return;
      }
      if (!res.ok) {
        const e = apiErrorSchema.safeParse(json);
        throw new Error(e.success ? e.data.error.message : `HTTP ${res.status}`);
      }
      setAnomaly(anomalyResponseSchema.parse(json).data);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const feed = useAnomalyFeed((msg) => {
    if (msg.anomaly.id === id) setAnomaly((cur) => (cur && cur.updatedAt > msg.anomaly.updatedAt ? cur : msg.anomaly));
  }, { onGap: () => void load() });
  useEffect(() => {
    if (feed.status !== 'polling') return;
    const t = setInterval(() => void load(), 5_000);
    return () => clearInterval(t);
  }, [feed.status, load]);

  return { anomaly, error, notFound, live: feed.status };
}
