import { describe, expect, it } from 'vitest';
import { parseReplayArgs } from '@/lib/replay/cli-args';

describe('parseReplayArgs', () => {
  it('replays a file once at 1x on 8765 by default', () => {
    expect(parseReplayArgs(['rec.ndjson'])).toEqual({
      file: 'rec.ndjson',
      speed: 1,
      port: 8765,
      host: '127.0.0.1',
      loop: false,
      retime: false,
      startWhen: 'first-subscribe',
    });
  });

  it('loops and retimes the demo unless --once', () => {
    expect(parseReplayArgs([])).toMatchObject({ file: null, loop: true, retime: true });
    expect(parseReplayArgs(['--once'])).toMatchObject({ file: null, loop: false, retime: true });
  });

  it('parses speed, port and flags', () => {
    expect(parseReplayArgs(['f', '--speed', 'max', '--port', '0', '--loop', '--retime', '--immediately'])).toMatchObject({
      speed: 'max',
      port: 0,
      loop: true,
      retime: true,
      startWhen: 'immediately',
    });
    expect(parseReplayArgs(['f', '--speed', '10']).speed).toBe(10);
    expect(parseReplayArgs(['f', '--speed', '0.5']).speed).toBe(0.5);
  });

  it.each([
    [['f', '--speed', 'fast'], /--speed/],
    [['f', '--speed', '0'], /--speed/],
    [['f', '--port', '70000'], /--port/],
    [['f', '--port', 'x'], /--port/],
    [['a', 'b'], /at most one file/],
    [['f', '--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseReplayArgs(argv)).toThrow(message);
  });
});
