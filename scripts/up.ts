// `npm start`: the whole system on one machine.
//  1. PostgreSQL + Redis: from DATABASE_URL / REDIS_URL, else private ones under .data/ on free ports;
//  2. migrations; 3. `next build` unless the build is current;
//  4. the feed: RIS Live when it answers within 5 s, else the simulated demo replay (said once);
//  5. the worker (collector + maintenance) and `next start`, as children with prefixed output.
// Ctrl-C (or SIGTERM/SIGHUP) stops everything it started, in order, under a hard deadline; the
// children also die with this process if it is killed (see lib/infra/process-group.ts).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getEnv } from '@/lib/env';
import { buildNeeded, computeBuildHash, writeBuildStamp } from '@/lib/infra/build-stamp';
import { childEnv, launcherVar } from '@/lib/infra/child-env';
import { startDemoFeed, type DemoFeed } from '@/lib/infra/demo-feed';
import { findPortFrom } from '@/lib/infra/free-port';
import { formatChildLine, isNotablePostgresLine } from '@/lib/infra/log-lines';
import { startLocalServices, type LocalServices } from '@/lib/infra/local-services';
import { isAlive, sleep, spawnOwned, type OwnedProcess } from '@/lib/infra/process-group';
import { checkWebSocketReachable, withClientName } from '@/lib/infra/ws-reachable';
import { runMigrations } from '@/scripts/migrate';

const repoRoot = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(repoRoot, '.data');
const lockFile = path.join(dataDir, 'up.lock');
const SHUTDOWN_DEADLINE_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;

const started = performance.now();
let services: LocalServices | null = null;
let demo: DemoFeed | null = null;
const children: OwnedProcess[] = [];
let stopping: Promise<void> | null = null;

function say(line: string): void {
  process.stdout.write(`[start]   ${line}\n`);
}

function elapsed(): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

function takeLock(): void {
  mkdirSync(dataDir, { recursive: true });
  try {
    const other = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    if (Number.isFinite(other) && other !== process.pid && isAlive(other)) {
      throw new Error(`another "npm start" (pid ${other}) is already running from this checkout; stop it first`);
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('another')) throw err;
  }
  writeFileSync(lockFile, String(process.pid));
}

function releaseLock(): void {
  try {
    if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) rmSync(lockFile, { force: true });
  } catch {
    // Already gone.
  }
}

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): OwnedProcess {
  const child = spawnOwned({
    name,
    command,
    args,
    cwd: repoRoot,
    env,
    onLine: (line) => process.stdout.write(`${formatChildLine(name, line)}\n`),
  });
  children.push(child);
  void child.exited.then((info) => {
    if (stopping) return;
    say(`${name} exited unexpectedly (${info.signal ?? `code ${info.code}`}); stopping everything`);
    void shutdown(1);
  });
  return child;
}

async function buildIfNeeded(env: NodeJS.ProcessEnv): Promise<void> {
  const hash = computeBuildHash(repoRoot);
  const reason = buildNeeded(repoRoot, hash);
  if (!reason) {
    say('Next.js build is current (no source changed since the last build): skipping next build');
    return;
  }
  say(`building the web app (${reason}) ...`);
  const t0 = performance.now();
  const build = spawnOwned({
    name: 'build',
    command: 'npm',
    args: ['run', '--silent', 'build'],
    cwd: repoRoot,
    env,
    onLine: (line) => process.stdout.write(`${formatChildLine('build', line)}\n`),
  });
  children.push(build);
  const info = await build.exited;
  children.splice(children.indexOf(build), 1);
  if (stopping) return;
  if (info.code !== 0) throw new Error(`next build failed (exit ${info.code ?? info.signal}); see the [build] lines above`);
  // Hashed again after the build: next build itself may rewrite tsconfig.json (adding its type dirs).
  writeBuildStamp(repoRoot, computeBuildHash(repoRoot));
  say(`web app built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function waitForHttp(url: string, web: OwnedProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    if (!web.isRunning()) throw new Error('the web server exited during start-up');
    try {
      // Any HTTP answer means the server is serving; /api/health may say 503 while the worker warms up.
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await sleep(250);
    }
  }
  if (!stopping) throw new Error(`the web server did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<void> {
  takeLock();
  const env = getEnv();

  // 1. PostgreSQL and Redis.
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    say('starting private PostgreSQL and Redis under .data/ (DATABASE_URL / REDIS_URL not set) ...');
    services = await startLocalServices({
      baseDir: dataDir,
      database: 'bgp_observatory',
      durability: 'dev',
      repoRoot,
      onLog: (service, line) => {
        if (service === 'postgres' && isNotablePostgresLine(line)) process.stdout.write(`${formatChildLine('postgres', line)}\n`);
      },
    });
    if (stopping) return;
    databaseUrl ??= services.databaseUrl;
    redisUrl ??= services.redisUrl;
    say(
      `PostgreSQL ${services.postgres.binaries.major} on 127.0.0.1:${services.postgres.port} (data in .data/pg), ` +
        `Redis on 127.0.0.1:${services.redis.port}`,
    );
  } else {
    say('using DATABASE_URL and REDIS_URL from the environment');
  }

  // 2. Schema.
  await runMigrations(databaseUrl);
  say('database schema is current');
  if (stopping) return;

  const baseEnv = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NEXT_TELEMETRY_DISABLED: '1' };

  // 3. Web build (skipped when current); the feed check runs meanwhile.
  const liveUrl = withClientName(env.RIS_LIVE_URL, env.RIS_LIVE_CLIENT);
  const reachable = checkWebSocketReachable(liveUrl, 5_000);
  await buildIfNeeded(childEnv(baseEnv));
  if (stopping) return;

  // 4. Feed.
  let feedUrl = liveUrl;
  let feedLabel: 'live' | 'simulated' = env.FEED_LABEL;
  const check = await reachable;
  if (check.ok) {
    say(`RIS Live reachable at ${liveUrl}: ingesting the live feed`);
  } else {
    demo = await startDemoFeed(repoRoot, say);
    feedUrl = demo.url;
    feedLabel = 'simulated';
    say(`RIS Live is not reachable (${check.error ?? 'no answer'}): replaying the project's SIMULATED demo stream from ${demo.url} instead`);
  }
  if (stopping) return;

  // 5. Worker and web server.
  const runtimeEnv = childEnv({ ...baseEnv, RIS_LIVE_URL: feedUrl, FEED_LABEL: feedLabel, NODE_ENV: 'production' });
  startChild('worker', process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', 'index.ts')], runtimeEnv);
  const requested = getEnv().PORT;
  const port = await findPortFrom(requested);
  if (port !== requested) say(`port ${requested} is busy: the dashboard uses ${port}`);
  const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  const web = startChild('web', process.execPath, [nextBin, 'start', '-p', String(port)], childEnv({ ...baseEnv, RIS_LIVE_URL: feedUrl, FEED_LABEL: feedLabel, PORT: String(port) }));
  await waitForHttp(`http://127.0.0.1:${port}/api/health`, web);
  if (stopping) return;
  say(`dashboard ready after ${elapsed()}: http://localhost:${port}/   (feed: ${feedLabel}; Ctrl-C stops everything)`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return stopping;
  stopping = (async () => {
    say('stopping ...');
    const hardStop = setTimeout(() => {
      say(`still not stopped after ${SHUTDOWN_DEADLINE_MS / 1000} s: killing what is left`);
      for (const child of children) child.signal('SIGKILL');
      services?.postgres.process.signal('SIGQUIT');
      services?.redis.process.signal('SIGKILL');
      releaseLock();
      process.exit(code || 1);
    }, SHUTDOWN_DEADLINE_MS);
    hardStop.unref();
    // Web first (no new readers), then the worker (it flushes its last batch), then the feed and stores.
    const order = ['web', 'build', 'worker'];
    for (const name of order) {
      await Promise.all(children.filter((c) => c.name === name).map((c) => c.stop({ signal: 'SIGTERM', timeoutMs: 15_000 })));
    }
    await demo?.close().catch(() => {});
    await services?.stop();
    releaseLock();
    clearTimeout(hardStop);
    say(`stopped (${code === 0 ? 'clean' : 'after an error'})`);
    process.exit(code);
  })();
  return stopping;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      // A second Ctrl-C: do not wait for graceful shutdown.
      for (const child of children) child.signal('SIGKILL');
      services?.postgres.process.signal('SIGQUIT');
      services?.redis.process.signal('SIGKILL');
      releaseLock();
      process.exit(130);
    }
    void shutdown(0);
  });
}

main().catch((err: unknown) => {
  if (stopping) return;
  process.stderr.write(`[start]   ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1);
});
