import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNeeded, computeBuildHash, writeBuildStamp } from '@/lib/infra/build-stamp';

const root = mkdtempSync(path.join(tmpdir(), 'build-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe('build stamp', () => {
  it('asks for a build until one is stamped, then only when an input changes', () => {
    put('app/page.tsx', 'export default function Page() { return null; }');
    put('lib/x.ts', 'export const x = 1;');
    put('package-lock.json', '{}');
    expect(buildNeeded(root, computeBuildHash(root))).toBe('no previous build');

    put('.next/BUILD_ID', 'abc');
    expect(buildNeeded(root, computeBuildHash(root))).toBe('previous build has no stamp');
    writeBuildStamp(root, computeBuildHash(root));
    expect(buildNeeded(root, computeBuildHash(root))).toBeNull();

    // Tests and docs do not feed the build.
    put('lib/x.test.ts', 'test');
    put('lib/README.md', 'docs');
    expect(buildNeeded(root, computeBuildHash(root))).toBeNull();

    put('lib/x.ts', 'export const x = 2;');
    expect(buildNeeded(root, computeBuildHash(root))).toBe('sources changed since the last build');
    put('lib/x.ts', 'export const x = 1;');
    expect(buildNeeded(root, computeBuildHash(root))).toBeNull();
    put('package-lock.json', '{"lockfileVersion":3}');
    expect(buildNeeded(root, computeBuildHash(root))).toBe('sources changed since the last build');
  });
});
