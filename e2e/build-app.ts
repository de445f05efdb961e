// Global setup of the e2e project: one production build per test run, shared by every spec file
// (each used to build its own: ~1 min each on this machine). Runs in the main vitest process.

import { childEnv } from '@/lib/infra/child-env';
import { runOwned } from '@/lib/infra/process-group';
import { prepareAssets } from '@/scripts/prepare-assets';
import { E2E_DIST_DIR, hasChromium, NEXT_BIN, repoRoot } from './helpers/app';

export async function setup(): Promise<void> {
  // Without Chromium every spec skips: no build needed.
  if (!hasChromium) return;
  prepareAssets(repoRoot);
  await runOwned({
    name: 'next-build',
    command: process.execPath,
    args: [NEXT_BIN, 'build'],
    cwd: repoRoot,
    env: childEnv({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', NEXT_DIST_DIR: E2E_DIST_DIR }),
    timeoutMs: 300_000,
  });
}
