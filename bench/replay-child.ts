// Runs engineer B's replay server in its own process for the ingest benchmark, so serving the
// feed does not share the collector's event loop (as with the real RIS Live, which is remote).
// argv[2]: JSON { file, speed, loop, retime }. Prints one line {"url": ...} when listening.

import { startReplayServer } from '@/lib/replay/server';

const args = JSON.parse(process.argv[2] ?? '{}') as { file: string; speed: number | 'max'; loop?: boolean; retime?: boolean };
const server = await startReplayServer({ source: { file: args.file }, speed: args.speed, loop: args.loop, retime: args.retime });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

const stop = async () => {
  const s = server.stats();
  process.stderr.write(`${JSON.stringify({ replayStats: s })}\n`);
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
