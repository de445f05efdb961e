// A VRP JSON export read from a file or a URL. Each load parses the whole document; an unchanged
// document (same SHA-256) is reported as such so nothing downstream rebuilds.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseVrpJson, type ParsedVrpDocument } from '@/lib/rpki/vrp-json';

export type JsonLoad = { changed: false } | { changed: true; doc: ParsedVrpDocument; sha256: string };

export interface JsonVrpSource {
  id: string;
  kind: 'file' | 'url';
  location: string;
  /** Throws (VrpDocumentError, I/O or HTTP errors) when no usable document could be read. */
  load(nowMs: number): Promise<JsonLoad>;
}

const FETCH_TIMEOUT_MS = 60_000;

async function readText(kind: 'file' | 'url', location: string): Promise<string> {
  if (kind === 'file') return readFile(location, 'utf8');
  const res = await fetch(location, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${location}`);
  return res.text();
}

export function createJsonVrpSource(kind: 'file' | 'url', location: string): JsonVrpSource {
  let lastHash: string | null = null;
  return {
    id: `${kind}:${location}`,
    kind,
    location,
    async load(nowMs) {
      const text = await readText(kind, location);
      const sha256 = createHash('sha256').update(text).digest('hex');
      if (sha256 === lastHash) return { changed: false };
      const doc = parseVrpJson(text, nowMs);
      lastHash = sha256;
      return { changed: true, doc, sha256 };
    },
  };
}
