'use client';

import { useEffect, useState } from 'react';

/** Wall-clock ms, refreshed every `everyMs`; null during server rendering and the first paint. */
export function useNow(everyMs = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
