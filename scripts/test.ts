// `npm test`: every test suite (unit, integration, e2e) on private services.
// 1. installs missing Debian tools the tests use (scripts/ensure-system-deps.sh);
// 2. starts PostgreSQL + Redis under .data/test/run-<pid> unless DATABASE_URL / REDIS_URL are set;
// 3. applies the migrations; 4. runs vitest with both URLs in its environment;
// 5. stops the services and ends with one line "N passed, N failed" (skips on the line before).
// Extra arguments go to vitest: `npm test -- --project unit lib/bgp`.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getEnv } from '@/lib/env';
import { childEnv, launcherVar } from '@/lib/infra/child-env';
import { startLocalServices, type LocalServices } from '@/lib/infra/local-services';
import { spawnOwned, type OwnedProcess } from '@/lib/infra/process-group';
import { cleanStaleRunDirs, runDirFor } from '@/lib/infra/run-dirs';
import { formatTotals, totalsFromReport, type TestTotals } from '@/lib/infra/vitest-results';
import { runMigrations } from '@/scripts/migrate';

const repoRoot = path.resolve(import.meta.dirname, '..');
const testBase = path.join(repoRoot, '.data', 'test');

function say(line: string): void {
  process.stdout.write(`[npm test] ${line}\n`);
}

function ensureSystemDeps(): void {
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'ensure-system-deps.sh')], { stdio: 'inherit' });
  if (r.status !== 0) say('system dependency check failed; continuing (tests that need a missing tool skip)');
}

async function main(): Promise<number> {
  const started = performance.now();
  ensureSystemDeps();

  const env = getEnv();
  const runDir = runDirFor(testBase, 'run');
  mkdirSync(runDir, { recursive: true });
  let services: LocalServices | null = null;
  let vitest: OwnedProcess | null = null;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    vitest?.signal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let databaseUrl = env.DATABASE_URL;
    let redisUrl = env.REDIS_URL;
    if (!databaseUrl || !redisUrl) {
      await cleanStaleRunDirs(testBase);
      const t0 = performance.now();
      services = await startLocalServices({ baseDir: runDir, database: 'bgp_observatory_test', durability: 'test', fresh: true, repoRoot });
      databaseUrl ??= services.databaseUrl;
      redisUrl ??= services.redisUrl;
      say(
        `PostgreSQL ${services.postgres.binaries.major} on 127.0.0.1:${services.postgres.port}, ` +
          `Redis on 127.0.0.1:${services.redis.port} (${Math.round(performance.now() - t0)} ms, data in ${path.relative(repoRoot, runDir)})`,
      );
    } else {
      say('using DATABASE_URL and REDIS_URL from the environment');
    }
    await runMigrations(databaseUrl);
    if (interrupted) return 130;

    const resultsFile = path.join(runDir, 'results.json');
    const args = [
      path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile=${resultsFile}`,
      ...process.argv.slice(2),
    ];
    vitest = spawnOwned({
      name: 'vitest',
      command: process.execPath,
      args,
      cwd: repoRoot,
      // Logs of the code under test stay out of the report unless asked for (LOG_LEVEL=info npm test).
      env: childEnv({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, LOG_LEVEL: launcherVar('LOG_LEVEL') ?? 'warn' }),
      inheritStdio: true,
    });
    const exit = await vitest.exited;

    const totals = readTotals(resultsFile);
    if (existsSync(resultsFile)) copyFileSync(resultsFile, path.join(testBase, 'results.json'));
    const vitestFailed = exit.code !== 0;
    // vitest failing without any failed test (crash, config error, no results) still fails the run.
    const summary: TestTotals = totals ?? { passed: 0, failed: 1, skipped: 0 };
    if (vitestFailed && summary.failed === 0) summary.failed = 1;
    await stopServices(services);
    services = null;
    rmSync(runDir, { recursive: true, force: true });
    say(`finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (summary.skipped > 0) process.stdout.write(`(${summary.skipped} skipped)\n`);
    process.stdout.write(`${formatTotals(summary)}\n`);
    return summary.failed > 0 || vitestFailed ? 1 : 0;
  } finally {
    await stopServices(services);
  }
}

function readTotals(file: string): TestTotals | null {
  try {
    return totalsFromReport(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

async function stopServices(services: LocalServices | null): Promise<void> {
  if (services) await services.stop();
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[npm test] ${err instanceof Error ? err.message : String(err)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
