// Free TCP ports on 127.0.0.1, so our services coexist with anything already listening
// (the machine's own PostgreSQL on 5432, Redis on 6379, another checkout's services).

import net from 'node:net';

/** Asks the kernel for an unused port. Another process can still take it before we bind: callers retry. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when nothing listens on host:port and we may bind it. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `preferred` when it is free, else the next free port above it (up to 100 tries), else any free port. */
export async function findPortFrom(preferred: number, host = '127.0.0.1'): Promise<number> {
  for (let port = preferred; port < preferred + 100 && port < 65536; port += 1) {
    if (await isPortFree(port, host)) return port;
  }
  return findFreePort(host);
}
