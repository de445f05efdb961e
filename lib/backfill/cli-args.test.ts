import { describe, expect, it } from 'vitest';
import { parseBackfillArgs } from '@/lib/backfill/cli-args';

describe('parseBackfillArgs', () => {
  it('takes local files (flags and positionals) with an optional collector', () => {
    expect(parseBackfillArgs(['--file', 'a.gz', 'b.bz2', '--collector', 'rrc06', '--inline'])).toEqual({
      request: { kind: 'files', files: ['a.gz', 'b.bz2'], collector: 'rrc06' },
      inline: true,
      wait: true,
    });
  });
  it('takes an archive interval with collectors (repeated or comma-separated) and a type', () => {
    const a = parseBackfillArgs(['--from', '2015-04-01T00:00:00Z', '--to', '1427850000', '--collector', 'rrc00,rrc06', '--collector', 'route-views2', '--type', 'ribs', '--no-wait']);
    expect(a).toEqual({
      request: { kind: 'archive', from: 1427846400, to: 1427850000, collectors: ['rrc00', 'rrc06', 'route-views2'], projects: [], type: 'ribs' },
      inline: false,
      wait: false,
    });
  });
  it('says what is wrong', () => {
    expect(() => parseBackfillArgs([])).toThrow(/nothing to do/);
    expect(() => parseBackfillArgs(['--from', '2015-04-01'])).toThrow(/go together/);
    expect(() => parseBackfillArgs(['--from', '1427850000', '--to', '1427846400'])).toThrow(/must not be after/);
    expect(() => parseBackfillArgs(['--from', 'yesterday', '--to', '1427846400'])).toThrow(/--from must be ISO-8601/);
    expect(() => parseBackfillArgs(['--from', '1', '--to', '2', '--type', 'rib'])).toThrow(/--type must be one of updates, ribs/);
    expect(() => parseBackfillArgs(['--file', 'a', '--from', '1', '--to', '2'])).toThrow(/either --file or --from/);
    expect(() => parseBackfillArgs(['--file', 'a', '--batch-size', '0'])).toThrow(/--batch-size/);
    expect(() => parseBackfillArgs(['--bogus'])).toThrow();
  });
});
