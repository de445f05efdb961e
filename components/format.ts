// Display formatting for the dashboard. UTC everywhere: operators compare times across collectors,
// and the server and browser must render the same text (no hydration mismatch).

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const RATE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : INT.format(n);
}

export function formatRate(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : RATE.format(n);
}

/** "2026-11-22 10:00:00.123" from an API ISO timestamp (µs are trimmed to ms for the table). */
export function formatUtc(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1').replace(/Z$/, '');
}

export function formatUtcMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : formatUtc(new Date(ms).toISOString());
}

/** "4 s ago", "3 min ago"; null input or unknown `now` renders a dash. */
export function formatAgo(ms: number | null | undefined, nowMs: number | null): string {
  if (ms === null || ms === undefined || nowMs === null) return '—';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** AS path with AS_SET members in braces, as routers print them: "3356 174 {64500 64501}". */
export function formatAsPath(path: number[], setMask: boolean[] | null): string {
  if (!setMask) return path.join(' ');
  const out: string[] = [];
  let set: number[] = [];
  path.forEach((asn, i) => {
    if (setMask[i]) {
      set.push(asn);
      return;
    }
    if (set.length) out.push(`{${set.join(' ')}}`);
    set = [];
    out.push(String(asn));
  });
  if (set.length) out.push(`{${set.join(' ')}}`);
  return out.join(' ');
}
