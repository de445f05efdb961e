// GoBGP (Debian gobgpd 3.10) as a real BGP speaker for tests: a TOML configuration writer, the
// daemon started on 127.0.0.x with its gRPC API on a free port, and the `gobgp` CLI to script
// routes and read back neighbor state and the RIB.
//
// Facts this relies on (gobgpd 3.10): MRT `dump-interval` and `rotation-interval` are raised to at
// least 60 s ("use minimum mrt dump interval"), so a table dump appears 60 s after start at the
// earliest; `port = -1` disables listening; next hops in 127.0.0.0/8 are rejected as invalid
// ("treated as withdraw"), so scripted routes carry documentation next hops (192.0.2.x); with a
// rotation interval the WHOLE file-name path is a Go time layout (a temp dir named ".../x4…" has
// its "4" replaced by the minute), so gobgpd runs in `dir` and dump names are relative to it.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OwnedProcess } from '@/lib/infra/process-group';
import { which } from '@/lib/infra/which';
import { runCli, startSpeaker } from '@/test/helpers/bgp-speakers/common';

export const GOBGPD = which('gobgpd');
export const GOBGP = which('gobgp');

export interface GobgpNeighbor {
  address: string;
  asn: number;
  /** Wait for the peer to connect (the other side is active). */
  passive?: boolean;
  /** TCP port of the peer when we connect to it. */
  remotePort?: number;
  /** ADD-PATH (RFC 7911) for the session's families. */
  addPaths?: { receive?: boolean; sendMax?: number };
  /** Our address on this session (default: the speaker's first address). */
  localAddress?: string;
  /** Address families of the session (default: IPv4 and IPv6 unicast). */
  families?: ('ipv4-unicast' | 'ipv6-unicast')[];
}

export interface GobgpMrtDump {
  type: 'updates' | 'table';
  /**
   * File name relative to the speaker's dir; Go time layout tokens (20060102.150405) are expanded
   * when a rotation interval is set, so the name must hold no others (no digits, "Jan", "Mon", "PM"…).
   */
  fileName: string;
  /** Seconds between table dumps (table) — gobgpd raises it to 60. */
  dumpIntervalS?: number;
  /** Seconds between file rotations (updates) — gobgpd raises it to 60. */
  rotationIntervalS?: number;
}

export interface GobgpOptions {
  name: string;
  dir: string;
  asn: number;
  routerId: string;
  address: string;
  /** More addresses to listen on (e.g. ::1 for an IPv6 session). */
  extraAddresses?: string[];
  /** BGP listen port, or -1 for none. */
  port: number;
  apiPort: number;
  neighbors: GobgpNeighbor[];
  mrt?: GobgpMrtDump[];
  /** Extra TOML appended to the configuration (policies). */
  extraToml?: string;
}

export function gobgpConfig(o: GobgpOptions): string {
  const lines = [
    '[global.config]',
    `  as = ${o.asn}`,
    `  router-id = "${o.routerId}"`,
    `  port = ${o.port}`,
    `  local-address-list = [${[o.address, ...(o.extraAddresses ?? [])].map((a) => `"${a}"`).join(', ')}]`,
  ];
  for (const m of o.mrt ?? []) {
    lines.push('[[mrt-dump]]', '  [mrt-dump.config]', `    dump-type = "${m.type}"`, `    file-name = "${m.fileName}"`);
    if (m.dumpIntervalS !== undefined) lines.push(`    dump-interval = ${m.dumpIntervalS}`);
    if (m.rotationIntervalS !== undefined) lines.push(`    rotation-interval = ${m.rotationIntervalS}`);
  }
  for (const n of o.neighbors) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.asn}`);
    // GoBGP retries at most every 5 s whatever is configured; 1 asks for its minimum.
    lines.push('  [neighbors.timers.config]', '    connect-retry = 1', '    hold-time = 30', '    keepalive-interval = 10');
    lines.push('  [neighbors.transport.config]', `    local-address = "${n.localAddress ?? o.address}"`);
    if (n.passive) lines.push('    passive-mode = true');
    if (n.remotePort !== undefined) lines.push(`    remote-port = ${n.remotePort}`);
    for (const family of n.families ?? ['ipv4-unicast', 'ipv6-unicast']) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${family}"`);
      if (n.addPaths) {
        lines.push(
          '    [neighbors.afi-safis.add-paths.config]',
          `      receive = ${n.addPaths.receive ? 'true' : 'false'}`,
          `      send-max = ${n.addPaths.sendMax ?? 0}`,
        );
      }
    }
  }
  if (o.extraToml) lines.push(o.extraToml);
  return `${lines.join('\n')}\n`;
}

export interface GobgpRoute {
  prefix: string;
  neighborIp: string;
  asPath: string;
}

export interface GobgpSpeaker {
  readonly proc: OwnedProcess;
  /** Runs `gobgp -u <api> -p <port> ...args`. */
  cli(args: string[]): Promise<string>;
  /** session_state of each configured neighbor (6 = Established). */
  neighborStates(): Promise<Map<string, number>>;
  /** The global RIB of one family: every path with the neighbor it came from. */
  rib(family: 'ipv4' | 'ipv6'): Promise<GobgpRoute[]>;
}

interface RibJsonPath {
  'neighbor-ip'?: string;
  attrs?: { type: number; as_paths?: { segment_type: number; asns: number[] }[] }[];
}

function asPathText(p: RibJsonPath): string {
  const attr = p.attrs?.find((a) => a.type === 2);
  return (attr?.as_paths ?? []).map((s) => (s.segment_type === 1 ? `{${s.asns.join(',')}}` : s.asns.join(' '))).join(' ');
}

export function startGobgp(o: GobgpOptions): GobgpSpeaker {
  if (!GOBGPD || !GOBGP) throw new Error('gobgpd/gobgp missing (apt-get install -y gobgpd)');
  const gobgp = GOBGP;
  const configFile = path.join(o.dir, `${o.name}.toml`);
  writeFileSync(configFile, gobgpConfig(o));
  const proc = startSpeaker(o.name, GOBGPD, ['-f', configFile, '-p', '--api-hosts', `127.0.0.1:${o.apiPort}`, '--pprof-disable'], { cwd: o.dir });
  const cli = (args: string[]) => runCli(gobgp, ['-u', '127.0.0.1', '-p', String(o.apiPort), ...args]);
  return {
    proc,
    cli,
    async neighborStates() {
      const peers = JSON.parse(await cli(['neighbor', '-j'])) as { state?: { neighbor_address?: string; session_state?: number } }[];
      return new Map(peers.map((p) => [p.state?.neighbor_address ?? '?', p.state?.session_state ?? 0]));
    },
    async rib(family) {
      const out = await cli(['global', 'rib', '-a', family, '-j']);
      const table = JSON.parse(out.trim() || '{}') as Record<string, RibJsonPath[]>;
      return Object.entries(table).flatMap(([prefix, paths]) =>
        paths.map((p) => ({ prefix, neighborIp: p['neighbor-ip'] ?? '', asPath: asPathText(p) })),
      );
    },
  };
}
