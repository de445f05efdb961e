// Starts a worker thread on a sibling module of the caller: the .ts source goes through tsx
// (development, tests, `npm start`), a built .js runs as is. Throws when the module is missing.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `file`: absolute path of the worker module, with the extension of the caller's own file. */
export function spawnModuleWorker(file: string): Worker {
  if (!existsSync(file)) throw new Error(`worker script ${file} not found`);
  if (!file.endsWith('.ts')) return new Worker(file);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
  return new Worker(boot, { eval: true });
}

/** Path of a sibling module `name` of the module at `importMetaUrl`, same extension. */
export function siblingModule(here: string, name: string): string {
  return here.replace(/[^/\\]+\.(ts|js|mjs)$/, (_m, ext: string) => `${name}.${ext === 'ts' ? 'ts' : 'js'}`);
}
