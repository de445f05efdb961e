// Runs before `next build` (npm's prebuild): copies the globe textures that the pinned
// three-globe package ships into public/earth/. Its package exports hide example/, so the folder
// is located from the resolved entry point. The copies are gitignored; nothing is downloaded.

import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const TEXTURES = ['earth-dark.jpg', 'earth-night.jpg', 'earth-blue-marble.jpg', 'earth-topology.png', 'night-sky.png'];

export function prepareAssets(repoRoot: string): { copied: string[]; missing: string[] } {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const entry = require.resolve('three-globe');
  // entry = .../three-globe/dist/three-globe.*; the images live in .../three-globe/example/img.
  const source = path.join(path.dirname(entry), '..', 'example', 'img');
  const target = path.join(repoRoot, 'public', 'earth');
  mkdirSync(target, { recursive: true });
  const copied: string[] = [];
  const missing: string[] = [];
  for (const name of TEXTURES) {
    const from = path.join(source, name);
    const to = path.join(target, name);
    if (!existsSync(from)) {
      missing.push(name);
      continue;
    }
    // Skip unchanged files so repeated builds do not rewrite 3 MB each time.
    if (existsSync(to) && statSync(to).size === statSync(from).size) continue;
    copyFileSync(from, to);
    copied.push(name);
  }
  return { copied, missing };
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (invokedDirectly) {
  const { copied, missing } = prepareAssets(process.cwd());
  // A missing texture only costs the optional globe panel its image, so it warns, never fails the build.
  if (missing.length > 0) console.warn(`prepare-assets: three-globe textures not found: ${missing.join(', ')}`);
  console.log(`prepare-assets: ${copied.length} texture(s) copied to public/earth/`);
}
