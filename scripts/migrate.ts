// Applies the committed migrations (prisma/migrations) with `prisma migrate deploy`, offline:
// the Prisma 6 CLI runs its WASM schema engine through the pg driver adapter set up in
// prisma.config.ts. CLI: `npm run migrate` (uses DATABASE_URL).

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getLogger } from '@/lib/log';

const repoRoot = path.resolve(import.meta.dirname, '..');
const preload = path.join(repoRoot, 'scripts', 'migrate-preload.cjs');
const configFile = path.join(repoRoot, 'prisma.config.ts');
/** migrate deploy normally takes ~2 s; anything near this means the engine hung. */
const MIGRATE_TIMEOUT_MS = 120_000;

function prismaCliPath(): string {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/**
 * Applies every pending migration to `databaseUrl` (idempotent: applied ones are skipped).
 * Resolves when the schema is current; rejects with the CLI's output when it fails.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const log = getLogger().child({ module: 'migrate' });
  const started = performance.now();
  const args = ['--require', preload, prismaCliPath(), 'migrate', 'deploy', '--config', configFile];
  // The child inherits this process's environment (PATH, HOME, ...) with the target database
  // and Prisma's network features (update check, telemetry) switched off: there is no Internet.
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
  };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new MigrationError(`prisma migrate deploy timed out after ${MIGRATE_TIMEOUT_MS} ms`, text));
    }, MIGRATE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new MigrationError(`could not start prisma: ${err.message}`, text));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new MigrationError(`prisma migrate deploy failed (exit ${code ?? signal}):\n${text.trim()}`, text));
    });
  });
  const applied = /(\d+) migrations? found/.exec(output)?.[1];
  log.info({ ms: Math.round(performance.now() - started), migrationsFound: applied ? Number(applied) : undefined }, 'migrations applied');
}

// CLI entry: `npm run migrate` / `tsx scripts/migrate.ts`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { requireDatabaseUrl } = await import('@/lib/env');
  runMigrations(requireDatabaseUrl()).then(
    () => process.exit(0),
    (err: unknown) => {
      getLogger().error({ err }, 'migration failed');
      process.exit(1);
    },
  );
}
