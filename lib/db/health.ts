// Database liveness for /api/health: one round trip, bounded so a hung server reports as down.

import { getPgPool } from '@/lib/db/client';

const PING_TIMEOUT_MS = 2_000;

export async function pingDatabase(timeoutMs: number = PING_TIMEOUT_MS): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([getPgPool().query('SELECT 1'), timeout]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
