// The simulated feed `npm start` falls back to without a route to RIS Live: the project's seeded
// demo stream (lib/demo/generator.ts), written once to .data/demo/, served by the replay server
// (lib/replay/server.ts) on 127.0.0.1 at 1x speed, looping, re-timed to the present.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getLogger } from '@/lib/log';

export interface DemoFeed {
  url: string;
  file: string;
  close(): Promise<void>;
}

/**
 * Path of the demo stream file, generated when missing. The name carries a hash of the generator's
 * sources, so a changed generator produces a new file instead of replaying a stale one.
 */
export async function ensureDemoFile(repoRoot: string): Promise<{ file: string; generated: boolean; lines: number }> {
  const demoSrc = path.join(repoRoot, 'lib', 'demo');
  const hash = createHash('sha256');
  const sources = readdirSync(demoSrc)
    .filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))
    .sort()
    .map((n) => path.join(demoSrc, n));
  // The generator's PRNG lives outside lib/demo; its changes change the stream too.
  sources.push(path.join(repoRoot, 'lib', 'util', 'seeded-random.ts'));
  for (const file of sources) hash.update(path.relative(repoRoot, file)).update(readFileSync(file));
  const dir = path.join(repoRoot, '.data', 'demo');
  const file = path.join(dir, `demo-stream-${hash.digest('hex').slice(0, 12)}.ndjson`);
  if (existsSync(file)) return { file, generated: false, lines: 0 };

  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (old.startsWith('demo-stream-')) rmSync(path.join(dir, old), { force: true });
  const { writeDemoFile } = await import('@/lib/demo/demo-file');
  const { lines } = await writeDemoFile(file);
  return { file, generated: true, lines };
}

export async function startDemoFeed(repoRoot: string, onLog: (line: string) => void): Promise<DemoFeed> {
  const { file, generated, lines } = await ensureDemoFile(repoRoot);
  if (generated) onLog(`generated the demo stream: ${lines} messages in ${path.relative(repoRoot, file)}`);
  const { startReplayServer } = await import('@/lib/replay/server');
  // Its per-connection info lines would interleave with the launcher's console; warnings still show.
  const logger = getLogger().child({ module: 'replay' }, { level: 'warn' });
  const server = await startReplayServer({ source: { file }, host: '127.0.0.1', port: 0, speed: 1, loop: true, retime: true, logger });
  return { url: server.url, file, close: () => server.close() };
}
