// Backfill throughput: one MRT file through the whole backfill path (open + decompress, parse,
// events, batched idempotent inserts with ingest_windows, committed progress) into PostgreSQL, in
// process (--inline). Also times the parse + event building alone (no database) on the same file,
// so the database's share is visible. Starts a private PostgreSQL (npm start's settings) under
// .data/bench/ unless DATABASE_URL is set; with DATABASE_URL it writes under a unique collector.
//
//   npx tsx bench/backfill-throughput.ts [--file <mrt>] [--batch 5000] [--writers 2] [--raw on|off] [--repeat 2]
//                                        [--parse-rounds 1] [--parse-only]
//
// --parse-rounds N repeats the parse-only pass in the same process (the first pass includes JIT
// warm-up, the later ones show the steady cost) and prints each pass's CPU time; --parse-only
// stops there, without starting PostgreSQL.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mrtFileReader } from '@/lib/backfill/mrt-reader';
import type { LocalServices } from '@/lib/infra/local-services';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    file: { type: 'string', default: path.resolve(repoRoot, '../shared/fixtures/mrt/bgpdump/test_data/updates.et-header.2015.gz') },
    batch: { type: 'string', default: '5000' },
    writers: { type: 'string', default: '2' },
    raw: { type: 'string', default: 'off' },
    repeat: { type: 'string', default: '2' },
    'parse-rounds': { type: 'string', default: '1' },
    'parse-only': { type: 'boolean', default: false },
  },
});

async function parseOnly(file: string, storeRaw: boolean): Promise<{ events: number; records: number; seconds: number; cpuSeconds: number }> {
  const read = mrtFileReader({ storeRaw });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let events = 0;
  let records = 0;
  for await (const chunk of read({ path: file, collector: 'bench', onSkip: () => {} })) {
    records += chunk.length;
    for (const r of chunk) events += r.events.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return { events, records, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function main(): Promise<void> {
  const storeRaw = args.raw === 'on';
  for (let i = 0; i < Number(args['parse-rounds']); i++) {
    const p = await parseOnly(args.file, storeRaw);
    console.log(`parse only #${i + 1}: ${p.records} records, ${p.events} events in ${p.seconds.toFixed(2)} s (cpu ${p.cpuSeconds.toFixed(2)} s) = ${Math.round(p.events / p.seconds)} events/s`);
  }
  if (args['parse-only']) return;
  // Loaded after the parse-only passes: the database client's modules (Prisma's WASM engine) are
  // compiled on background threads at import, which would be counted in the parse's CPU time.
  const { runBackfillInline } = await import('@/lib/backfill/inline');
  const { getBackfillRun } = await import('@/lib/db/backfills');
  const { closeDb } = await import('@/lib/db/client');
  const { resetEnvForTests } = await import('@/lib/env');
  const { startLocalServices } = await import('@/lib/infra/local-services');
  const { getLogger } = await import('@/lib/log');
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
  try {
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
