// FRRouting bgpd (Debian frr 8.4) as a real BGP speaker for tests, run alone: no zebra (-Z), no
// kernel routes, no privilege changes (-S), BGP on one address and port, its vty socket in the
// test's temp dir for `vtysh -d bgpd`. FRR writes MRT the way Quagga-derived collectors (Route
// Views) do:
// - `dump bgp all <file>` / `dump bgp updates <file>` in the configuration — BGP4MP messages (all:
//   OPEN/KEEPALIVE/UPDATE/NOTIFICATION and state changes; updates: UPDATEs only);
// - `dump bgp routes-mrt <file>` given through vtysh — one TABLE_DUMP_V2 snapshot at once.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OwnedProcess } from '@/lib/infra/process-group';
import { which } from '@/lib/infra/which';
import { runCli, startSpeaker } from '@/test/helpers/bgp-speakers/common';

export const FRR_BGPD = which('bgpd', ['/usr/lib/frr']);
export const VTYSH = which('vtysh');

export interface FrrOptions {
  name: string;
  dir: string;
  address: string;
  port: number;
  /** bgpd configuration (router bgp …, route-maps, dump commands). */
  config: string;
}

export interface FrrSpeaker {
  readonly proc: OwnedProcess;
  /** Runs vtysh commands in order (e.g. 'configure terminal', 'dump bgp routes-mrt …'). */
  vtysh(...commands: string[]): Promise<string>;
}

export function startFrr(o: FrrOptions): FrrSpeaker {
  if (!FRR_BGPD || !VTYSH) throw new Error('FRR bgpd/vtysh missing (apt-get install -y frr)');
  const vtyshBin = VTYSH;
  const configFile = path.join(o.dir, `${o.name}.conf`);
  writeFileSync(configFile, o.config);
  const args = ['-f', configFile, '-i', path.join(o.dir, `${o.name}.pid`), '--vty_socket', o.dir, '-p', String(o.port), '-l', o.address];
  // -Z: no zebra; -S: no user/capability changes; -P 0: no TCP vty.
  const proc = startSpeaker(o.name, FRR_BGPD, [...args, '-Z', '-S', '-P', '0', '--log', 'stdout']);
  return {
    proc,
    async vtysh(...commands) {
      const out = await runCli(vtyshBin, ['--vty_socket', o.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])]);
      // vtysh reports a rejected command as text ("% Unknown command", "% Invalid input").
      if (/^% /m.test(out)) throw new Error(`vtysh ${commands.join(' / ')}: ${out}`);
      return out;
    },
  };
}
