// ExaBGP (Debian exabgp 4.2) as a scripted BGP speaker for tests. Routes are announced and
// withdrawn through its API: the configured API process is `cat <fifo>`, and the test writes
// API commands ("announce route …") into the FIFO, so each step happens when the test says so.
// With `capability { asn4 disable; }` it is a 2-byte-AS speaker: 4-byte ASNs in its paths go out as
// AS_TRANS (23456) plus AS4_PATH / AS4_AGGREGATOR (RFC 6793).

import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { OwnedProcess } from '@/lib/infra/process-group';
import { which } from '@/lib/infra/which';
import { startSpeaker } from '@/test/helpers/bgp-speakers/common';

export const EXABGP = which('exabgp');

export interface ExabgpNeighbor {
  address: string;
  peerAsn: number;
  /** TCP port to connect to. */
  port: number;
}

export interface ExabgpOptions {
  name: string;
  dir: string;
  asn: number;
  routerId: string;
  address: string;
  /** false: no 4-byte AS capability (RFC 6793 "old" speaker). */
  asn4: boolean;
  neighbors: ExabgpNeighbor[];
}

export interface ExabgpSpeaker {
  readonly proc: OwnedProcess;
  /** Sends API commands (one per line), e.g. "announce route 10.0.0.0/24 next-hop 192.0.2.1". */
  send(...commands: string[]): void;
  /** Closes our end of the API FIFO (stop() of the process follows). */
  close(): void;
}

export function exabgpConfig(o: ExabgpOptions, fifo: string): string {
  const lines = ['process feed {', `  run /bin/cat ${fifo};`, '  encoder text;', '}'];
  for (const n of o.neighbors) {
    lines.push(
      `neighbor ${n.address} {`,
      `  router-id ${o.routerId};`,
      `  local-address ${o.address};`,
      `  local-as ${o.asn};`,
      `  peer-as ${n.peerAsn};`,
      `  connect ${n.port};`,
      `  capability { asn4 ${o.asn4 ? 'enable' : 'disable'}; }`,
      '  family { ipv4 unicast; ipv6 unicast; }',
      '  api { processes [ feed ]; }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function startExabgp(o: ExabgpOptions): ExabgpSpeaker {
  if (!EXABGP) throw new Error('exabgp missing (apt-get install -y exabgp)');
  const fifo = path.join(o.dir, `${o.name}.fifo`);
  execFileSync('mkfifo', [fifo]);
  // Read-write open of a FIFO does not block on Linux and keeps `cat` from seeing EOF between writes.
  const fd = openSync(fifo, constants.O_RDWR);
  const configFile = path.join(o.dir, `${o.name}.conf`);
  writeFileSync(configFile, exabgpConfig(o, fifo));
  const proc = startSpeaker(o.name, EXABGP, [configFile], { env: {
    // As root ExaBGP would drop to "nobody" (then it cannot read the temp dir): stay who we are.
    'exabgp.daemon.user': userInfo().username,
    'exabgp.daemon.daemonize': 'false',
    'exabgp.log.destination': 'stdout',
    'exabgp.api.cli': 'false',
  } });
  let open = true;
  return {
    proc,
    send(...commands) {
      if (!open) throw new Error(`${o.name}: API closed`);
      writeSync(fd, `${commands.join('\n')}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
