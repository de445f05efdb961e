import type { AnomalyFeedStatus } from '@/components/anomalies/use-anomaly-feed';

const TEXT: Record<AnomalyFeedStatus, string> = {
  connecting: 'connecting…',
  live: 'push: live',
  reconnecting: 'push: reconnecting',
  polling: 'polling every 5 s',
};

export function LiveStatus({ status }: { status: AnomalyFeedStatus }) {
  return (
    <span data-testid="anomaly-live-status" className={`text-[11px] ${status === 'live' ? 'text-announce' : 'text-ink-dim'}`}>
      {TEXT[status]}
    </span>
  );
}
