// Test-only access to the shared real RIS Live captures (../shared/fixtures/ris-live), which live
// outside the repository: tests that need them skip with a message when they are absent.

import { it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export const RIS_FIXTURE_DIR = path.resolve(repoRoot, '../shared/fixtures/ris-live');
export const risFixturesPresent = existsSync(RIS_FIXTURE_DIR);
export const RIS_FIXTURES_MISSING = `skipped: real RIS Live captures not found at ${RIS_FIXTURE_DIR}`;

/** Non-empty lines of one capture file. */
export function readRisFixture(name: string): string[] {
  return readFileSync(path.join(RIS_FIXTURE_DIR, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
}

export function listRisFixtures(): string[] {
  return risFixturesPresent ? readdirSync(RIS_FIXTURE_DIR).filter((f) => f.endsWith('.ndjson')).sort() : [];
}

/** A test that needs the captures: skipped, with the reason in its name, when they are absent. */
export function itWithRisFixtures(name: string, fn: () => void | Promise<void>): void {
  if (risFixturesPresent) it(name, fn);
  else it.skip(`${name} — ${RIS_FIXTURES_MISSING}`, fn);
}
