// A detection process for the takeover test (workers/detect.int.test.ts): runs the detection
// service with the partitions and lease time from argv until SIGTERM (graceful) or SIGKILL.
// Not used in production.

import { parseDetectionConfig } from '@/lib/detect/config';
import { closeDb } from '@/lib/db/client';
import { getLogger } from '@/lib/log';
import { startDetectionService } from '@/workers/detect';

const [partitions, owner, leaseMs] = [Number(process.argv[2] ?? 3), process.argv[3] ?? `child-${process.pid}`, Number(process.argv[4] ?? 3000)];
const service = await startDetectionService({
  partitions,
  owner,
  leaseMs,
  checkpointEveryMs: 300,
  baselineRefreshMs: 1_000,
  // The test's baselines are one aggregated hour: in the 24 h window at once (7 d / 30 d fold whole days).
  config: parseDetectionConfig({ baselineWindow: '24h' }),
  logger: getLogger().child({ test: 'detect-child', owner }),
});
process.stdout.write(`ready ${owner}\n`);
process.on('SIGTERM', () => {
  void service
    .stop()
    .then(() => closeDb())
    .finally(() => process.exit(0));
});
