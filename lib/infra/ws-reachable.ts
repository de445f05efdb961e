// Whether a WebSocket endpoint (RIS Live) answers the opening handshake within a timeout.

import WebSocket from 'ws';

export interface Reachability {
  ok: boolean;
  ms: number;
  error?: string;
}

export function checkWebSocketReachable(url: string, timeoutMs = 5_000): Promise<Reachability> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let socket: WebSocket;
    const finish = (result: Omit<Reachability, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        socket.terminate();
      } catch {
        // Never opened.
      }
      resolve({ ...result, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    try {
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    } catch (err) {
      clearTimeout(timer);
      resolve({ ok: false, ms: 0, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    socket.once('open', () => finish({ ok: true }));
    socket.once('error', (err) => finish({ ok: false, error: err.message }));
    socket.once('unexpected-response', (_req, res) => finish({ ok: false, error: `HTTP ${res.statusCode}` }));
  });
}

/** RIS Live asks clients to name themselves (?client=...); add it when the URL has none. */
export function withClientName(url: string, client: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('client')) u.searchParams.set('client', client);
  return u.toString();
}
