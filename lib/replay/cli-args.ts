// Command-line arguments of `npm run replay`, parsed with zod.

import { parseArgs } from 'node:util';
import { z } from 'zod';

export const REPLAY_USAGE = `usage: npm run replay -- [<file.ndjson>] [--speed 1|10|max] [--port 8765] [--host 127.0.0.1]
         [--loop] [--retime] [--once] [--immediately]
  Without a file the seeded demo stream is generated into .data/demo/ and replayed with --loop --retime
  (add --once to play it a single time).`;

const speedSchema = z.string().transform((s, ctx): number | 'max' => {
  if (s === 'max') return 'max';
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (!(n > 0)) {
    ctx.addIssue({ code: 'custom', message: `--speed must be a positive number or 'max', got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return n;
});

const argsSchema = z.object({
  file: z.string().min(1).nullable(),
  speed: speedSchema.default(1),
  port: z
    .string()
    .regex(/^\d+$/, '--port must be an integer')
    .transform(Number)
    .refine((n) => n >= 0 && n <= 65535, '--port must be between 0 and 65535')
    .default(8765),
  host: z.string().min(1).default('127.0.0.1'),
  loop: z.boolean().default(false),
  retime: z.boolean().default(false),
  once: z.boolean().default(false),
  immediately: z.boolean().default(false),
});

export interface ReplayArgs {
  /** null: generate and replay the demo stream. */
  file: string | null;
  speed: number | 'max';
  port: number;
  host: string;
  loop: boolean;
  retime: boolean;
  startWhen: 'first-subscribe' | 'immediately';
}

/** Throws an Error whose message says which argument is wrong and why. */
export function parseReplayArgs(argv: string[]): ReplayArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      speed: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      loop: { type: 'boolean' },
      retime: { type: 'boolean' },
      once: { type: 'boolean' },
      immediately: { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw new Error(`expected at most one file, got ${positionals.length}: ${positionals.join(' ')}`);
  const parsed = argsSchema.safeParse({ ...values, file: positionals[0] ?? null });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const a = parsed.data;
  const demo = a.file === null;
  return {
    file: a.file,
    speed: a.speed,
    port: a.port,
    host: a.host,
    // The demo feed stands in for the live one, so by default it runs on and keeps moving in time.
    loop: a.once ? false : a.loop || demo,
    retime: a.retime || demo,
    startWhen: a.immediately ? 'immediately' : 'first-subscribe',
  };
}
