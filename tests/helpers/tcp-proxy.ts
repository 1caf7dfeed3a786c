// A real TCP proxy in front of Redis or PostgreSQL. A test points one server at the proxy and then cuts it,
// so that server loses its connection while the shared services (used by other test files) keep running.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** host:port the client should connect to. */
  port: number;
  /** The target's URL with host and port replaced by the proxy's (e.g. redis://127.0.0.1:6379 → proxy). */
  url(targetUrl: string): string;
  /** Drops every open connection and refuses (resets) new ones until restore(). */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  /** Connections accepted and forwarded since start (a restored client reconnecting shows up here). */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  let forwarded = 0;
  const server = net.createServer((client) => {
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    forwarded += 1;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      for (const s of [client, upstream]) {
        open.delete(s);
        s.destroy();
      }
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      cut = true;
      // A reset (not a FIN) is what a client sees when a host vanishes: no graceful close to hide behind.
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get forwarded() {
      return forwarded;
    },
    async close() {
      for (const s of open) s.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** host and port of a service URL (redis://…, postgresql://…). */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}
