// Human-readable lines for the launcher's console: child processes log pino JSON; show it as
// "HH:MM:SS LEVEL message key=value ..." with the child's name in front.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

export function formatChildLine(name: string, line: string): string {
  const tag = `[${name}]`.padEnd(9);
  if (!line.startsWith('{')) return `${tag} ${line}`;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${tag} ${line}`;
  }
  if (typeof record.msg !== 'string') return `${tag} ${line}`;
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const level = typeof record.level === 'number' ? (LEVELS[record.level] ?? String(record.level)) : '';
  const extras = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${tag} ${time} ${level.padEnd(5)} ${record.msg}${extras ? ` ${extras}` : ''}`;
}

/** PostgreSQL's own log lines worth showing on the console (not the routine LOG chatter). */
export function isNotablePostgresLine(line: string): boolean {
  // Our own readiness probes connect while the server is still starting: expected, not news.
  if (/FATAL:\s+the database system is (starting up|shutting down)/.test(line)) return false;
  return /\b(WARNING|ERROR|FATAL|PANIC):/.test(line);
}
