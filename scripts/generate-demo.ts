// `npm run demo:generate -- --out .data/demo/demo.ndjson [--seed N] [...]`: writes the seeded,
// simulated demo stream (see lib/demo/generator.ts).

import path from 'node:path';
import { GENERATE_USAGE, parseGenerateArgs } from '@/lib/demo/cli-args';
import { writeDemoFile } from '@/lib/demo/demo-file';
import { incidentSchedule } from '@/lib/demo/generator';

async function main(): Promise<void> {
  let args;
  try {
    args = parseGenerateArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`demo:generate: ${(err as Error).message}\n${GENERATE_USAGE}`);
    process.exit(2);
  }
  const file = path.resolve(args.out);
  const t0 = performance.now();
  const { lines, bytes } = await writeDemoFile(file, args.options);
  const s = incidentSchedule(args.options);
  const iso = (ms: number) => new Date(ms).toISOString();
  console.log(`wrote ${lines} messages (${(bytes / 1e6).toFixed(1)} MB) to ${file} in ${(performance.now() - t0).toFixed(0)} ms`);
  console.log(`simulated stream ${iso(args.options.startTimeMs)} → ${iso(s.endMs)}; hijack at ${iso(s.hijackMs)}, withdrawn at ${iso(s.hijackWithdrawnMs)}`);
}

main().catch((err: unknown) => {
  console.error(`demo:generate failed: ${(err as Error).message}`);
  process.exit(1);
});
