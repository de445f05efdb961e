import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '@/lib/infra/embedded-postgres';
import { startEmbeddedRedis } from '@/lib/infra/embedded-redis';
import { findChildren, findProcesses, findProcessGroup } from '@/lib/infra/proc-scan';
import { processState, sleep } from '@/lib/infra/process-group';
import { runDirFor } from '@/lib/infra/run-dirs';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const base = runDirFor(path.join(repoRoot, '.data', 'test'), 'infratest');

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitGone(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('starts on a free port next to any server on 5432, keeps data across restarts, stops with no process left', async () => {
    const dataDir = path.join(base, 'pg');
    const first = await startEmbeddedPostgres({ dataDir, database: 'infra_test', durability: 'dev', fresh: true, repoRoot });
    expect(first.port).not.toBe(5432);
    expect(first.url).toBe(`postgresql://postgres@127.0.0.1:${first.port}/infra_test`);
    const version = await query(first.url, 'select current_database() as db, version() as v');
    expect(version.rows[0].db).toBe('infra_test');
    expect(String(version.rows[0].v)).toMatch(/^PostgreSQL \d+/);
    const settings = await query(first.url, "select name, setting from pg_settings where name in ('listen_addresses','synchronous_commit','fsync')");
    const byName = Object.fromEntries(settings.rows.map((r: { name: string; setting: string }) => [r.name, r.setting]));
    expect(byName).toEqual({ listen_addresses: '127.0.0.1', synchronous_commit: 'off', fsync: 'on' });
    await query(first.url, 'create table kept (x int); insert into kept values (42)');
    const pid = first.process.pid;
    const helpers = findChildren(pid);
    expect(helpers.length).toBeGreaterThan(2);
    await first.stop();
    expect(findProcessGroup(pid)).toEqual([]);
    expect([pid, ...helpers].filter((p) => processState(p) === 'alive')).toEqual([]);
    expect(findProcesses(dataDir)).toEqual([]);
    expect(await listening(first.port)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    // Same directory again (npm start after npm start): the cluster and its data are reused.
    const second = await startEmbeddedPostgres({ dataDir, database: 'infra_test', durability: 'dev', repoRoot });
    try {
      const kept = await query(second.url, 'select x from kept');
      expect(kept.rows).toEqual([{ x: 42 }]);
    } finally {
      await second.stop();
    }
    expect(findProcesses(dataDir)).toEqual([]);
  });
});

describe('embedded Redis', () => {
  it('starts on a free port with noeviction and no persistence, stops with no process left', async () => {
    const redis = await startEmbeddedRedis({ dir: path.join(base, 'redis') });
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    } finally {
      client.disconnect();
    }
    const pid = redis.process.pid;
    await redis.stop();
    expect(findProcessGroup(pid)).toEqual([]);
    expect(await listening(redis.port)).toBe(false);
  });
});

describe('process ownership', () => {
  it('PostgreSQL and Redis die within seconds when their parent is SIGKILLed', async () => {
    const childBase = path.join(base, 'orphan');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'lib/infra/hold-services-child.ts'), childBase], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`helper exited ${code}: ${stderr}`)));
      });
      const { postgresPid, redisPid, databaseUrl } = JSON.parse(firstLine) as { postgresPid: number; redisPid: number; databaseUrl: string };
      const port = Number(new URL(databaseUrl).port);
      // The postmaster's helpers (checkpointer, walwriter, ...) move to their own sessions: track their pids.
      // (A backend of the start-up probe may be exiting right now: only count the live ones.)
      expect(processState(postgresPid)).toBe('alive');
      expect(processState(redisPid)).toBe('alive');
      const postgresHelpers = findChildren(postgresPid).filter((pid) => processState(pid) === 'alive');
      expect(postgresHelpers.length).toBeGreaterThan(2);
      const ours = [postgresPid, ...postgresHelpers, redisPid];

      child.kill('SIGKILL');
      const allGone = await waitGone(() => ours.every((pid) => processState(pid) !== 'alive'), 10_000);
      expect(allGone).toBe(true);
      expect(findProcesses(childBase)).toEqual([]);
      expect(await listening(port)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
