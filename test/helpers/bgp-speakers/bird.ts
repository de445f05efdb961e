// BIRD 2 (Debian bird2 2.0.12) as a real BGP speaker for tests, run in the foreground with its
// control socket and files in the test's temp dir. BIRD writes MRT two ways:
// - `mrtdump "<file>"; mrtdump protocols { states, messages };` — every BGP message and state
//   change of every BGP protocol as BGP4MP (the _AS4 subtypes, _ADDPATH ones on ADD-PATH sessions);
// - `mrt dump table "<table>" to "<file>"` (birdc) — a TABLE_DUMP_V2 snapshot of a routing table.
// Neither needs root: no kernel protocol is configured and the ports are above 1024.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OwnedProcess } from '@/lib/infra/process-group';
import { which } from '@/lib/infra/which';
import { runCli, startSpeaker } from '@/test/helpers/bgp-speakers/common';

export const BIRD = which('bird');
export const BIRDC = which('birdc');

export interface BirdOptions {
  name: string;
  dir: string;
  routerId: string;
  /** BGP4MP message/state dump file (mrtdump), or none. */
  mrtDumpFile?: string;
  /** Tables and protocols, in BIRD configuration syntax. */
  body: string;
}

export interface BirdSpeaker {
  readonly proc: OwnedProcess;
  readonly socket: string;
  /** Runs one birdc command; rejects when birdc fails or BIRD answers with an error code. */
  birdc(command: string): Promise<string>;
}

export function startBird(o: BirdOptions): BirdSpeaker {
  if (!BIRD || !BIRDC) throw new Error('bird/birdc missing (apt-get install -y bird2)');
  const birdcBin = BIRDC;
  const socket = path.join(o.dir, `${o.name}.ctl`);
  const configFile = path.join(o.dir, `${o.name}.conf`);
  const head = ['log stderr all;', `router id ${o.routerId};`];
  if (o.mrtDumpFile) head.push(`mrtdump "${o.mrtDumpFile}";`, 'mrtdump protocols { states, messages };');
  writeFileSync(configFile, `${head.join('\n')}\n${o.body}\n`);
  const proc = startSpeaker(o.name, BIRD, ['-f', '-c', configFile, '-s', socket, '-P', path.join(o.dir, `${o.name}.pid`)]);
  return {
    proc,
    socket,
    async birdc(command) {
      const out = await runCli(birdcBin, ['-s', socket, command]);
      // birdc prints errors as text and still exits 0: "syntax error", "8xxx"/"9xxx" replies.
      if (/syntax error|^[89]\d{3}[ -]/m.test(out)) throw new Error(`birdc ${command}: ${out}`);
      return out;
    },
  };
}
