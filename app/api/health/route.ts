import { buildHealthReport } from '@/lib/api/health';
import { gatherHealthInputs } from '@/lib/api/health-probe';
import { jsonResponse } from '@/lib/api/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  // gatherHealthInputs never throws: each failing component is reported in the body.
  const report = buildHealthReport(await gatherHealthInputs(), Date.now());
  return jsonResponse(report, report.status === 'ok' ? 200 : 503);
}
