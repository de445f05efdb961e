// Clean slate for the RPKI tables between integration tests (one helper instead of a copy per file).

import { getPgPool } from '@/lib/db/client';

/**
 * Empties the RPKI tables. `anomalies` also deletes rpki_invalid rows from bgp_anomalies (other
 * anomaly types belong to other tests running against the same database, so they are kept).
 */
export async function resetRpkiTables(opts: { anomalies?: boolean } = {}): Promise<void> {
  await getPgPool().query('TRUNCATE rpki_sources, rpki_vrps, rpki_aspas, rpki_state');
  if (opts.anomalies) await getPgPool().query("DELETE FROM bgp_anomalies WHERE anomaly_type = 'rpki_invalid'");
}
