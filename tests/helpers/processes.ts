// Runs the real server (ROLE=api) or workers (ROLE=worker) as child processes, so a test can kill one with
// SIGKILL and a benchmark's load generator does not share an event loop with the server it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// node --import tsx runs in one process; the tsx CLI would put a wrapper in between that SIGKILL cannot reach through.
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** Base URL for ROLE=api/all; empty for workers. */
  url: string;
  /** stderr and stdout lines seen so far (newest last, bounded). */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  role: 'api' | 'worker' | 'all';
  env: Record<string, string>;
  /** For api/all: the port to listen on (0 is not usable: the parent must know it). */
  port?: number;
  nodeArgs?: string[];
  /** How long to wait for readiness before giving up. */
  readyTimeoutMs?: number;
  /** Readiness check for workers (default: the 'workers started' log line, which needs LOG_LEVEL info or lower). */
  ready?: () => Promise<boolean>;
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  const port = opts.role === 'worker' ? 0 : (opts.port ?? (await freePort()));
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', TSX_LOADER, 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, SEED_DEMO: 'false', HOST: '127.0.0.1', ...opts.env, ROLE: opts.role, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = opts.role === 'worker' ? '' : `http://127.0.0.1:${port}`;
  const proc: ServerProcess = {
    child,
    pid: child.pid!,
    url,
    output,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  await waitReady(proc, opts, opts.readyTimeoutMs ?? 60_000);
  return proc;
}

async function waitReady(proc: ServerProcess, opts: SpawnOptions, timeoutMs: number): Promise<void> {
  const role = opts.role;
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void proc.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${role} process exited before it was ready:\n${proc.output.slice(-20).join('\n')}`);
    if (opts.ready) {
      if (await opts.ready().catch(() => false)) return;
    } else if (role === 'worker') {
      if (proc.output.some((l) => l.includes('workers started'))) return;
    } else {
      const ok = await fetch(`${proc.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.kill('SIGKILL');
  throw new Error(`${role} process not ready within ${timeoutMs} ms:\n${proc.output.slice(-20).join('\n')}`);
}

/**
 * Polls until `probe` returns a truthy value; no timing assertion, only a generous deadline. A probe that
 * throws (a connection still reconnecting) counts as "not yet".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  deadlineMs = 90_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
