import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_FILE, parseGenerateArgs } from '@/lib/demo/cli-args';
import { DEFAULT_DEMO_START_MS, demoOptionsSchema } from '@/lib/demo/generator';

describe('parseGenerateArgs', () => {
  it('defaults to the default options and file', () => {
    expect(parseGenerateArgs([])).toEqual({ out: DEFAULT_DEMO_FILE, options: demoOptionsSchema.parse({}) });
    expect(parseGenerateArgs([]).options.startTimeMs).toBe(DEFAULT_DEMO_START_MS);
  });

  it('maps every flag to its option', () => {
    const a = parseGenerateArgs(['--out', 'x.ndjson', '--seed', '9', '--start', '2026-03-01T00:00:00Z', '--baseline-minutes', '1.5', '--incident-minutes', '2', '--prefixes', '100', '--peers', '10', '--rate', '5']);
    expect(a).toEqual({
      out: 'x.ndjson',
      options: { seed: 9, startTimeMs: Date.UTC(2026, 2, 1), baselineMinutes: 1.5, incidentMinutes: 2, prefixCount: 100, peerCount: 10, messagesPerSecond: 5 },
    });
    expect(parseGenerateArgs(['--start', '1000']).options.startTimeMs).toBe(1000);
  });

  it.each([
    [['--seed', 'abc'], /--seed must be a number/],
    [['--start', 'yesterday'], /--start/],
    [['--peers', '2'], /--peers/],
    [['--seed', '1.5'], /--seed/],
    [['extra'], /unexpected argument/],
    [['--nope'], /nope/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseGenerateArgs(argv)).toThrow(message);
  });
});
