// Command-line arguments of `npm run demo:generate`, parsed with zod into generator options.

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { demoOptionsSchema, type DemoOptions } from '@/lib/demo/generator';

export const DEFAULT_DEMO_FILE = '.data/demo/demo.ndjson';

const num = (name: string) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, `--${name} must be a number`)
    .transform(Number)
    .optional();

const argsSchema = z.object({
  out: z.string().min(1).default(DEFAULT_DEMO_FILE),
  seed: num('seed'),
  start: z
    .string()
    .transform((s, ctx) => {
      const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: '--start must be an ISO date or epoch milliseconds' });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  'baseline-minutes': num('baseline-minutes'),
  'incident-minutes': num('incident-minutes'),
  prefixes: num('prefixes'),
  peers: num('peers'),
  rate: num('rate'),
});

export const GENERATE_USAGE = `usage: npm run demo:generate -- [--out ${DEFAULT_DEMO_FILE}] [--seed N] [--start ISO|ms]
         [--baseline-minutes 10] [--incident-minutes 5] [--prefixes 5000] [--peers 80] [--rate 40]`;

export interface GenerateArgs {
  out: string;
  options: DemoOptions;
}

/** Throws an Error whose message says which argument is wrong and why. */
export function parseGenerateArgs(argv: string[]): GenerateArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      'baseline-minutes': { type: 'string' },
      'incident-minutes': { type: 'string' },
      prefixes: { type: 'string' },
      peers: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const a = argsSchema.safeParse(values);
  if (!a.success) throw new Error(a.error.issues.map((i) => i.message).join('; '));
  const o = demoOptionsSchema.safeParse({
    seed: a.data.seed,
    startTimeMs: a.data.start,
    baselineMinutes: a.data['baseline-minutes'],
    incidentMinutes: a.data['incident-minutes'],
    prefixCount: a.data.prefixes,
    peerCount: a.data.peers,
    messagesPerSecond: a.data.rate,
  });
  if (!o.success) {
    const flag: Record<string, string> = {
      seed: '--seed',
      startTimeMs: '--start',
      baselineMinutes: '--baseline-minutes',
      incidentMinutes: '--incident-minutes',
      prefixCount: '--prefixes',
      peerCount: '--peers',
      messagesPerSecond: '--rate',
    };
    throw new Error(o.error.issues.map((i) => `${flag[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('; '));
  }
  return { out: a.data.out, options: o.data };
}
