'use client';

// Live anomaly messages from /api/v1/bgp/anomalies/stream (`event: anomaly`), parsed with the push
// contract. If the endpoint is missing or refuses (EventSource closes for good on a non-200 or a
// wrong content type), the hook reports 'polling' and the callers refresh on a timer instead.

import { useEffect, useRef, useState } from 'react';
import { anomalyPushMessageSchema, type AnomalyPushMessage } from '@/lib/detect/push-types';

export type AnomalyFeedStatus = 'connecting' | 'live' | 'reconnecting' | 'polling';
export const ANOMALY_STREAM_URL = '/api/v1/bgp/anomalies/stream';

/** onGap: the server could not resume from where this client was (entries trimmed): reload. */
export function useAnomalyFeed(onMessage: (msg: AnomalyPushMessage) => void, opts: { url?: string; onGap?: () => void } = {}): { status: AnomalyFeedStatus; invalid: number } {
  const url = opts.url ?? ANOMALY_STREAM_URL;
  const [status, setStatus] = useState<AnomalyFeedStatus>('connecting');
  const [invalid, setInvalid] = useState(0);
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const gapHandler = useRef(opts.onGap);
  gapHandler.current = opts.onGap;

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setStatus('polling');
      return;
    }
    const source = new EventSource(url);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'polling' : 'reconnecting');
    source.addEventListener('anomaly', (ev: MessageEvent<string>) => {
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        setInvalid((n) => n + 1);
        return;
      }
      const parsed = anomalyPushMessageSchema.safeParse(json);
      if (!parsed.success) {
        setInvalid((n) => n + 1);
        return;
      }
      setStatus('live');
      handler.current(parsed.data);
    });
    source.addEventListener('gap', () => gapHandler.current?.());
    return () => source.close();
  }, [url]);

  return { status, invalid };
}
