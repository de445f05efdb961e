'use client';

// Counts for the dashboard panel (/api/v1/bgp/anomalies/summary), refreshed every few seconds.

import { useEffect, useState } from 'react';
import { anomalySummaryResponseSchema, type AnomalySummaryDto } from '@/lib/api/anomalies-contract';

export function useAnomalySummary(window: '1h' | '6h' | '24h' | '7d' | '30d', refreshMs = 10_000): { summary: AnomalySummaryDto | null; error: string | null } {
  const [summary, setSummary] = useState<AnomalySummaryDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const res = await fetch(`/api/v1/bgp/anomalies/summary?window=${window}`, { cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = anomalySummaryResponseSchema.parse(await res.json());
        if (!stopped) {
          setSummary(body.data);
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
    };
    void load();
    const t = setInterval(() => void load(), refreshMs);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [window, refreshMs]);
  return { summary, error };
}
