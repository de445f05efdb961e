import type { FeedLabel } from '@/lib/feed/types';

/** Says plainly whether the routing data is real RIS Live data or the generated demo stream. */
export function FeedLabelBadge({ label }: { label: FeedLabel | null }) {
  if (label === 'simulated') {
    return (
      <span
        data-testid="simulated-badge"
        title="This is the project's generated demo stream replayed locally, not real RIS Live data."
        className="rounded border border-sim bg-sim/15 px-2 py-0.5 text-xs font-bold tracking-widest text-sim"
      >
        SIMULATED DATA
      </span>
    );
  }
  if (label === 'live') {
    return (
      <span data-testid="live-badge" className="rounded border border-announce/60 bg-announce/10 px-2 py-0.5 text-xs font-semibold tracking-widest text-announce">
        LIVE
      </span>
    );
  }
  return <span className="rounded border border-panel-edge px-2 py-0.5 text-xs tracking-widest text-ink-dim">NO FEED</span>;
}
