import { BackfillRuns } from '@/components/backfill-runs';
import { loadBackfillRuns } from '@/lib/api/backfill-data';

export const dynamic = 'force-dynamic';

export default async function BackfillsPage() {
  const { runs, error } = await loadBackfillRuns(50);
  return (
    <main className="mx-auto max-w-6xl px-4 py-6">
      <h1 className="mb-1 text-lg text-ink">Backfill runs</h1>
      <p className="mb-4 text-sm text-ink-dim">History from MRT archives and local files, and gap fills of the live feed.</p>
      <BackfillRuns initial={runs} loadError={error} />
    </main>
  );
}
