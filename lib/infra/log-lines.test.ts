import { describe, expect, it } from 'vitest';
import { formatChildLine, isNotablePostgresLine } from '@/lib/infra/log-lines';

describe('formatChildLine', () => {
  it('renders a pino JSON record as time, level, message and extra fields', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 34, 56), pid: 1, hostname: 'h', module: 'collector', gapMs: 1500, msg: 'reconnecting' });
    expect(formatChildLine('worker', line)).toBe('[worker]  12:34:56 WARN  reconnecting module=collector gapMs=1500');
  });

  it('passes plain text and broken JSON through with the tag', () => {
    expect(formatChildLine('web', '  ▲ Next.js 16')).toBe('[web]       ▲ Next.js 16');
    expect(formatChildLine('web', '{not json')).toBe('[web]     {not json');
  });
});

describe('isNotablePostgresLine', () => {
  it('keeps warnings and errors, drops routine LOG lines', () => {
    expect(isNotablePostgresLine('2026-11-22 15:56:01.012 UTC [1] FATAL:  could not bind IPv4 address')).toBe(true);
    expect(isNotablePostgresLine('2026-11-22 15:56:01.012 UTC [1] LOG:  database system is ready to accept connections')).toBe(false);
    expect(isNotablePostgresLine('2026-11-22 16:02:11.863 UTC [28729] FATAL:  the database system is starting up')).toBe(false);
  });
});
