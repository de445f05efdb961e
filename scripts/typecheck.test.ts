// The type check of the whole repository (strict), as a test: `next build` skips it (see
// next.config.ts), so this is where a type error anywhere makes the suite red.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');

it('tsc --noEmit reports no errors', () => {
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', repoRoot], { cwd: repoRoot, encoding: 'utf8', timeout: 170_000 });
  const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS\d+/.test(l));
  expect(errors, errors.slice(0, 20).join('\n')).toEqual([]);
  expect(r.status).toBe(0);
}, 180_000);
