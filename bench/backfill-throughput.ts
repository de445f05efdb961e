// Backfill throughput: one MRT file through the whole backfill path (open + decompress, parse,
// events, batched idempotent inserts with ingest_windows, committed progress) into PostgreSQL, in
// process (--inline). Also times the parse + event building alone (no database) on the same file,
// so the database's share is visible. Starts a private PostgreSQL (npm start's settings) under
// .data/bench/ unless DATABASE_URL is set; with DATABASE_URL it writes under a unique collector.
//
//   npx tsx bench/backfill-throughput.ts [--file <mrt>] [--batch 5000] [--writers 2] [--raw on|off] [--repeat 2]

import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBackfillInline } from '@/lib/backfill/inline';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import { getBackfillRun } from '@/lib/db/backfills';
import { closeDb } from '@/lib/db/client';
import { resetEnvForTests } from '@/lib/env';
import { startLocalServices, type LocalServices } from '@/lib/infra/local-services';
import { getLogger } from '@/lib/log';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    file: { type: 'string', default: path.resolve(repoRoot, '../shared/fixtures/mrt/bgpdump/test_data/updates.et-header.2015.gz') },
    batch: { type: 'string', default: '5000' },
    writers: { type: 'string', default: '2' },
    raw: { type: 'string', default: 'off' },
    repeat: { type: 'string', default: '2' },
  },
});

async function parseOnly(file: string, storeRaw: boolean): Promise<{ events: number; records: number; seconds: number }> {
  const read = mrtFileReader({ storeRaw });
  const t0 = performance.now();
  let events = 0;
  let records = 0;
  for await (const chunk of read({ path: file, collector: 'bench', onSkip: () => {} })) {
    records += chunk.length;
    for (const r of chunk) events += r.events.length;
  }
  return { events, records, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  let services: LocalServices | null = null;
  let baseDir: string | null = null;
  if (!process.env.DATABASE_URL) {
    baseDir = path.join(repoRoot, '.data', 'bench', `backfill-${process.pid}`);
    services = await startLocalServices({ baseDir, database: 'bgp_observatory_bench', durability: 'dev', fresh: true, repoRoot });
    process.env.DATABASE_URL = services.databaseUrl;
    process.env.REDIS_URL = services.redisUrl;
    resetEnvForTests();
    const { runMigrations } = await import('@/scripts/migrate');
    await runMigrations(services.databaseUrl);
  }
  const storeRaw = args.raw === 'on';
  try {
    const p = await parseOnly(args.file, storeRaw);
    console.log(`parse only: ${p.records} records, ${p.events} events in ${p.seconds.toFixed(2)} s = ${Math.round(p.events / p.seconds)} events/s`);
    for (let i = 0; i < Number(args.repeat); i++) {
      const collector = `bench${process.pid}`;
      const t0 = performance.now();
      const r = await runBackfillInline(
        { kind: 'files', files: [args.file], collector },
        { read: mrtFileReader({ storeRaw }), logger: getLogger(), cacheDir: path.join(repoRoot, '.data/cache/mrt'), batchSize: Number(args.batch), writers: Number(args.writers) },
      );
      const seconds = (performance.now() - t0) / 1000;
      const { run } = (await getBackfillRun(r.id))!;
      console.log(
        `backfill #${i + 1} (${run.inserted > 0 ? 'fresh' : 'all duplicates'}): ${run.status}, ${run.records} records, ${run.events} events (${run.inserted} inserted, ${run.duplicates} duplicates) in ${seconds.toFixed(2)} s = ${Math.round(run.events / seconds)} events/s` +
          ` [batch ${args.batch}, writers ${args.writers}, raw ${args.raw}, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB]`,
      );
    }
  } finally {
    await closeDb();
    await services?.stop();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
