import { AnomalyDetail } from '@/components/anomalies/anomaly-detail';

export const dynamic = 'force-dynamic';

export default async function AnomalyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="mx-auto max-w-[1400px] px-4 py-4">
      <nav className="mb-2 flex gap-3 text-xs text-ink-dim">
        <a href="/" className="underline-offset-2 hover:underline">← dashboard</a>
        <a href="/anomalies" className="underline-offset-2 hover:underline">all anomalies</a>
      </nav>
      <AnomalyDetail id={id} />
    </main>
  );
}
