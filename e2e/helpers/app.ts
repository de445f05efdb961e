// What every browser test needs: Debian's Chromium, and the production build served by
// `next start` on a free port. The build itself runs once per test run (e2e/build-app.ts, the e2e
// project's global setup), not once per spec file.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { childEnv } from '@/lib/infra/child-env';
import { findFreePort } from '@/lib/infra/free-port';
import { spawnOwned, type OwnedProcess } from '@/lib/infra/process-group';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const chromiumSkipNote = hasChromium ? '' : ` (skipped: ${CHROMIUM} not found; apt-get install -y chromium)`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebGL on SwiftShader: the globe really renders.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const shotDir = path.join(repoRoot, '.data', 'test');
/** Listed in tsconfig.json and .gitignore, so `next build` leaves the checkout clean; its own
 * directory so a test build never replaces the one a running `npm start` serves. */
export const E2E_DIST_DIR = '.next-e2e';
export const NEXT_BIN = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');

export interface RunningApp {
  baseUrl: string;
  process: OwnedProcess;
}

async function waitForHttp(url: string, timeoutMs: number, web: OwnedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      // 503 is an answer too: the health endpoint says a component is down, the server is up.
      if (res.status < 500 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    if (!web.isRunning()) throw new Error(`next start exited:\n${web.tail().slice(-30).join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${url} not up within ${timeoutMs} ms:\n${web.tail().slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `next start` of the e2e build on a free port, answering /api/health. */
export async function startApp(): Promise<RunningApp> {
  if (!existsSync(path.join(repoRoot, E2E_DIST_DIR, 'BUILD_ID'))) {
    throw new Error(`no production build in ${E2E_DIST_DIR}: the e2e project's global setup (e2e/build-app.ts) builds it`);
  }
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const web = spawnOwned({
    name: 'next-start',
    command: process.execPath,
    args: [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'],
    cwd: repoRoot,
    env: childEnv({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', LOG_LEVEL: 'warn', NEXT_DIST_DIR: E2E_DIST_DIR }),
  });
  try {
    await waitForHttp(`${baseUrl}/api/health`, 60_000, web);
  } catch (err) {
    await web.stop({ timeoutMs: 5000 });
    throw err;
  }
  return { baseUrl, process: web };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
