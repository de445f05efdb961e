import { AnomaliesPanel } from '@/components/anomalies/anomalies-panel';
import { Dashboard } from '@/components/dashboard';
import { RpkiPanel } from '@/components/rpki-panel';
import { loadDashboardData } from '@/lib/api/dashboard-data';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const data = await loadDashboardData(50);
  return (
    <>
      <Dashboard initialFeed={data.feed} initialEvents={data.events} loadError={data.error} />
      <div className="mx-auto max-w-[1400px] px-4">
        <AnomaliesPanel />
      </div>
      <RpkiPanel />
    </>
  );
}
