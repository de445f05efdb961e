// A small RIS Live-speaking WebSocket server for integration tests and the ingest benchmark's
// checks: answers ris_subscribe / ping, lets the test push exact frames (including broken ones),
// and can drop every client to force a reconnect. Not used by production code.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RisTestServer {
  url: string;
  /** Frames (already serialized, sent verbatim) to every subscribed client. */
  send(frames: string[]): void;
  /** Terminate every client socket (as a network failure would). */
  dropClients(): void;
  /** Resolves once `n` subscriptions have been received in total since start. */
  waitForSubscriptions(n: number, timeoutMs?: number): Promise<void>;
  subscriptions(): unknown[];
  clients(): number;
  close(): Promise<void>;
}

export async function startRisTestServer(): Promise<RisTestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const subscribed = new Set<WebSocket>();
  const subs: unknown[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('close', () => subscribed.delete(ws));
    ws.on('message', (buf) => {
      let msg: { type?: string; data?: unknown };
      try {
        msg = JSON.parse(String(buf)) as { type?: string; data?: unknown };
      } catch {
        ws.send(JSON.stringify({ type: 'ris_error', data: { message: 'invalid JSON' } }));
        return;
      }
      if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong', data: null }));
      if (msg.type === 'ris_subscribe') {
        subs.push(msg.data);
        subscribed.add(ws);
        for (const w of waiters.splice(0)) {
          if (subs.length >= w.n) w.resolve();
          else waiters.push(w);
        }
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${port}/v1/ws/`,
    send(frames) {
      for (const ws of subscribed) for (const f of frames) ws.send(f);
    },
    dropClients() {
      for (const ws of wss.clients) ws.terminate();
      subscribed.clear();
    },
    waitForSubscriptions(n, timeoutMs = 10_000) {
      if (subs.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} subscriptions (have ${subs.length})`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    subscriptions: () => [...subs],
    clients: () => subscribed.size,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
