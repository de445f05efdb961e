// A stand-in for the BGPStream broker on 127.0.0.1, for tests (the real one is unreachable
// here). It speaks the v2 data API as documented (same query parameters, same JSON shape),
// reproduces its quirks — the silent cap on how much one answer covers and the extra file
// preceding the window — and serves the listed files over HTTP with Range support. Faults can
// be injected: broker 503s, and file bodies cut short (to exercise retry and resume).

import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CatalogFile {
  /** Served at <server>/files/<name>. */
  name: string;
  /** Path of the bytes on disk. */
  path: string;
  project: string;
  collector: string;
  type: 'updates' | 'ribs';
  initialTime: number;
  duration: number;
}

export interface BrokerTestServerOptions {
  catalog: CatalogFile[];
  /** Like CAIDA: an answer covers less than this many seconds from its first file. */
  capSeconds?: number;
  /** Like other deployments: at most this many files per answer. */
  capFiles?: number;
}

export interface BrokerTestServer {
  /** Base URL of the broker API (…/v2), for BGPSTREAM_BROKER_URL. */
  brokerUrl: string;
  fileUrl(name: string): string;
  /** Query strings of every /data request, in order. */
  dataRequests: string[];
  /** Range headers of every file request ('' when none), in order, per file name. */
  fileRequests: { name: string; range: string }[];
  /** The next n /data requests answer 503. */
  failBrokerRequests(n: number): void;
  /** The next full (non-Range) request of this file sends only `bytes` bytes, then drops the connection. */
  cutFileOnce(name: string, bytes: number): void;
  close(): Promise<void>;
}

function params(url: URL, name: string): string[] {
  return [...url.searchParams.getAll(`${name}[]`), ...url.searchParams.getAll(name)];
}

function select(opts: BrokerTestServerOptions, url: URL): CatalogFile[] {
  const projects = params(url, 'projects').concat(params(url, 'project'));
  const collectors = params(url, 'collectors').concat(params(url, 'collector'));
  const types = params(url, 'types').concat(params(url, 'type'));
  const [interval] = params(url, 'intervals');
  const [from, to] = (interval ?? '').split(',').map(Number);
  if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) return [];
  const matching = opts.catalog
    .filter((f) => (projects.length === 0 || projects.includes(f.project)) && (collectors.length === 0 || collectors.includes(f.collector)))
    .filter((f) => types.length === 0 || types.includes(f.type))
    .sort((a, b) => a.initialTime - b.initialTime || a.name.localeCompare(b.name));
  const inWindow = matching.filter((f) => f.initialTime >= from && f.initialTime <= to);
  // The broker also answers the file that precedes the window (per collector and type).
  const preceding = new Map<string, CatalogFile>();
  for (const f of matching) if (f.initialTime < from) preceding.set(`${f.collector}/${f.type}`, f);
  let answer = inWindow;
  const first = inWindow[0];
  if (first && opts.capSeconds !== undefined) answer = answer.filter((f) => f.initialTime < first.initialTime + opts.capSeconds!);
  if (opts.capFiles !== undefined) answer = answer.slice(0, opts.capFiles);
  return [...preceding.values(), ...answer];
}

export async function startBrokerTestServer(opts: BrokerTestServerOptions): Promise<BrokerTestServer> {
  const dataRequests: string[] = [];
  const fileRequests: { name: string; range: string }[] = [];
  const cuts = new Map<string, number>();
  let brokerFailures = 0;
  let base = '';

  function serveData(url: URL, res: ServerResponse): void {
    dataRequests.push(url.search);
    if (brokerFailures > 0) {
      brokerFailures--;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return;
    }
    const resources = select(opts, url).map((f) => ({
      url: `${base}/files/${f.name}`,
      format: 'mrt',
      transport: 'file',
      project: f.project,
      collector: f.collector,
      type: f.type,
      initialTime: f.initialTime,
      duration: f.duration,
      attr: [],
    }));
    const body = { version: '2', time: Math.floor(Date.now() / 1000), type: 'data', error: null, queryParameters: Object.fromEntries(url.searchParams), data: { resources } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function serveFile(name: string, req: IncomingMessage, res: ServerResponse): void {
    const f = opts.catalog.find((c) => c.name === name);
    const range = req.headers.range ?? '';
    fileRequests.push({ name, range });
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    const size = statSync(f.path).size;
    const m = /^bytes=(\d+)-$/.exec(range);
    if (m) {
      const start = Number(m[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': String(size - start), 'content-range': `bytes ${start}-${size - 1}/${size}`, 'accept-ranges': 'bytes' });
      createReadStream(f.path, { start }).pipe(res);
      return;
    }
    const cut = cuts.get(name);
    res.writeHead(200, { 'content-length': String(size), 'accept-ranges': 'bytes' });
    if (cut !== undefined) {
      cuts.delete(name);
      // Send a prefix, then drop the connection: the client sees a body shorter than announced.
      createReadStream(f.path, { start: 0, end: Math.max(0, cut - 1) })
        .on('end', () => setTimeout(() => res.socket?.destroy(), 20))
        .pipe(res, { end: false });
      return;
    }
    createReadStream(f.path).pipe(res);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v2/data') return serveData(url, res);
    if (url.pathname.startsWith('/files/')) return serveFile(decodeURIComponent(url.pathname.slice(7)), req, res);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    brokerUrl: `${base}/v2`,
    fileUrl: (name) => `${base}/files/${name}`,
    dataRequests,
    fileRequests,
    failBrokerRequests: (n) => {
      brokerFailures = n;
    },
    cutFileOnce: (name, bytes) => {
      cuts.set(name, bytes);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
