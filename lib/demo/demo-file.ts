// Writes the generated demo stream to an NDJSON file (streamed, with back-pressure). The one
// piece of lib/demo that does I/O; used by `npm run demo:generate` and by the replay CLI.

import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { generateDemoStream, type DemoOptionsInput } from '@/lib/demo/generator';

export async function writeDemoFile(file: string, opts: DemoOptionsInput = {}): Promise<{ lines: number; bytes: number }> {
  await mkdir(path.dirname(file), { recursive: true });
  // Write next to the target and rename, so a reader never sees a half-written stream.
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let lines = 0;
  let bytes = 0;
  try {
    for (const line of generateDemoStream(opts)) {
      const chunk = `${line}\n`;
      lines++;
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw err;
  }
  await rename(tmp, file);
  return { lines, bytes };
}
