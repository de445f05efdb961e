import { AnomaliesView } from '@/components/anomalies/anomalies-view';

export const dynamic = 'force-dynamic';

export default function AnomaliesPage() {
  return (
    <main className="mx-auto max-w-[1400px] px-4 py-4">
      <nav className="mb-2 text-xs text-ink-dim">
        <a href="/" className="underline-offset-2 hover:underline">← dashboard</a>
      </nav>
      <h1 className="mb-1 text-lg text-ink">Routing anomalies</h1>
      <p className="mb-3 text-sm text-ink-dim">Control-plane anomalies found in the routing updates: origin changes, more-specifics, withdrawals, path deviations, visibility drops, RPKI-invalid routes. Newest first by BGP time.</p>
      <AnomaliesView />
    </main>
  );
}
