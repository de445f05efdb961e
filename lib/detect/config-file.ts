// The small I/O adapter around config.ts: reads config/detection.json plus an optional override
// file (its path comes from the caller, who reads it from lib/env.ts), and re-reads both when they
// change so thresholds hot-reload without a restart. A bad edit keeps the last good config and
// is reported through onError: a typo must never switch detection off.

import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';
import { parseDetectionConfig, DetectionConfigError, type DetectionConfig } from '@/lib/detect/config';

export const DEFAULT_DETECTION_CONFIG_PATH = path.resolve(import.meta.dirname, '../../config/detection.json');

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DetectionConfigError(`cannot read detection config ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DetectionConfigError(`detection config ${file} is not JSON: ${(err as Error).message}`);
  }
}

/** Base file, then the override file (keys it sets win). Throws DetectionConfigError. */
export function loadDetectionConfig(basePath: string = DEFAULT_DETECTION_CONFIG_PATH, overridePath?: string | null): DetectionConfig {
  return parseDetectionConfig(readJson(basePath), overridePath ? readJson(overridePath) : {});
}

export interface ConfigWatcher {
  current(): DetectionConfig;
  close(): void;
}

/**
 * Loads now (throws if the first load fails) and polls both files; a change that parses replaces
 * the config and calls onChange, one that does not calls onError and keeps the previous one.
 */
export function watchDetectionConfig(opts: {
  basePath?: string;
  overridePath?: string | null;
  intervalMs?: number;
  onChange?: (c: DetectionConfig) => void;
  onError?: (err: Error) => void;
}): ConfigWatcher {
  const base = opts.basePath ?? DEFAULT_DETECTION_CONFIG_PATH;
  let config = loadDetectionConfig(base, opts.overridePath);
  const files = [base, ...(opts.overridePath ? [opts.overridePath] : [])];
  const reload = () => {
    try {
      config = loadDetectionConfig(base, opts.overridePath);
      opts.onChange?.(config);
    } catch (err) {
      opts.onError?.(err as Error);
    }
  };
  // watchFile (stat polling) rather than fs.watch: editors replace files by rename, which fs.watch loses.
  for (const f of files) watchFile(f, { interval: opts.intervalMs ?? 1000 }, reload);
  return {
    current: () => config,
    close: () => files.forEach((f) => unwatchFile(f, reload)),
  };
}
