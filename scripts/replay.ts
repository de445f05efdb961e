// `npm run replay -- <file> [--speed 1|10|max] [--port 8765] [--loop] [--retime]`: serves a
// recording as a RIS Live-compatible WebSocket on 127.0.0.1. Without a file it generates the
// demo stream into .data/demo/ first. Point the collector at the printed URL (RIS_LIVE_URL).

import path from 'node:path';
import { DEFAULT_DEMO_FILE } from '@/lib/demo/cli-args';
import { writeDemoFile } from '@/lib/demo/demo-file';
import { getLogger } from '@/lib/log';
import { parseReplayArgs, REPLAY_USAGE } from '@/lib/replay/cli-args';
import { startReplayServer } from '@/lib/replay/server';

async function main(): Promise<void> {
  let args;
  try {
    args = parseReplayArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`replay: ${(err as Error).message}\n${REPLAY_USAGE}`);
    process.exit(2);
  }
  let file = args.file === null ? null : path.resolve(args.file);
  if (file === null) {
    file = path.resolve(DEFAULT_DEMO_FILE);
    const { lines } = await writeDemoFile(file);
    console.log(`generated the simulated demo stream: ${lines} messages in ${file}`);
  }

  let server;
  try {
    server = await startReplayServer({
      source: { file },
      host: args.host,
      port: args.port,
      speed: args.speed,
      loop: args.loop,
      retime: args.retime,
      startWhen: args.startWhen,
      logger: getLogger(),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ` (port ${args.port} is in use; pick another with --port, or --port 0 for any free one)` : '';
    console.error(`replay: cannot start: ${e.message}${hint}`);
    process.exit(1);
  }
  const flags = [args.loop && 'loop', args.retime && 'retime'].filter(Boolean).join(', ');
  console.log(`RIS Live replay of ${file} at speed ${args.speed}${flags ? ` (${flags})` : ''}`);
  console.log(`RIS_LIVE_URL=${server.url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const s = server.stats();
    console.log(`\n${signal}: stopping replay (played ${s.played}, sent ${s.sent}, malformed input ${s.malformedInput})`);
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`replay failed: ${(err as Error).message}`);
  process.exit(1);
});
