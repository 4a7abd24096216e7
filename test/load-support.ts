// Shared by the test/load-*.test.ts suites: production-load attacks on a real
// `boxlite-native serve --engine test` child process (bench/stress/support/
// server-process.js starts it with a private TMPDIR and reads /proc), plus a
// raw WebSocket client that can do what a hostile one does (send frames
// without reading a byte of the answers).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';

const load = createRequire(__filename);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const srv: any = load('../bench/stress/support/server-process.js');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const files: any = load('../bench/stress/support/files-support.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Server = any;

export const MIB = 1 << 20;

export async function startExec(server: Server, box: string, command: string, args: string[] = []): Promise<string> {
  const r = await srv.request(`${server.origin}/v1/boxes/${box}/exec`, { method: 'POST', body: JSON.stringify({ command, args }) });
  if (r.status !== 201) throw new Error(`exec ${command}: ${r.status} ${r.text}`);
  return r.json.execution_id;
}

/** POST .../exec; the answer, whatever its status. */
export function tryExec(server: Server, box: string, command: string, args: string[] = []): Promise<{ status: number; text: string }> {
  return srv.request(`${server.origin}/v1/boxes/${box}/exec`, { method: 'POST', body: JSON.stringify({ command, args }) });
}

/** One masked client frame (binary: opcode 2, text: opcode 1), as RFC 6455 §5.2 lays it out. */
export function clientFrame(payload: Buffer, opcode = 0x2): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
    : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
      : (() => { const h = Buffer.alloc(10); h[0] = 0x80 | opcode; h[1] = 0x80 | 127; h.writeBigUInt64BE(BigInt(len), 2); return h; })();
  // A zero mask: the payload goes as is (masking is mandatory, its key is not).
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/** A raw attach: the upgrade done by hand, then the bare TCP socket (paused: nothing is read). */
export async function rawAttach(server: Server, box: string, execId: string): Promise<net.Socket> {
  const port = Number(new URL(server.origin).port);
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined); // the server may cut it; the test looks at the outcome
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write(`GET /v1/boxes/${box}/executions/${execId}/attach HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`
    + `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n`
    + 'Sec-WebSocket-Version: 13\r\n\r\n');
  const head = await new Promise<string>((resolve, reject) => {
    let got = '';
    const onData = (c: Buffer) => {
      got += c.toString('latin1');
      if (!got.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      sock.pause();
      resolve(got);
    };
    sock.on('data', onData);
    sock.once('close', () => reject(new Error(`closed during the upgrade: ${got}`)));
  });
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head}`);
  return sock;
}

/**
 * Writes `count` copies of `frame` on `sock` in large batches, honouring
 * backpressure (bounded client memory), then half-closes it and reads until
 * the server closes the connection: the FIN arrives after every frame, so once
 * the server reacted to it, every frame was processed. Resolves the bytes read.
 */
export async function floodAndFinish(sock: net.Socket, frame: Buffer, count: number, timeoutMs = 60_000): Promise<number> {
  const perBatch = Math.min(count, 50_000);
  const batch = Buffer.concat(Array.from({ length: perBatch }, () => frame));
  let closed = false;
  sock.once('close', () => { closed = true; });
  for (let sent = 0; sent < count && !closed; sent += perBatch) {
    const n = Math.min(perBatch, count - sent);
    const ok = sock.write(n === perBatch ? batch : batch.subarray(0, n * frame.length));
    if (!ok) await new Promise<void>((resolve) => { sock.once('drain', resolve); sock.once('close', resolve); });
  }
  let read = 0;
  sock.on('data', (c: Buffer) => { read += c.length; });
  sock.end();
  sock.resume();
  await waitUntil(() => closed, timeoutMs, 'the server to close the flooded connection');
  return read;
}

export async function waitUntil(fn: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Resident memory of `pid`, in MiB. */
export function rssMiB(pid: number): number {
  return srv.memoryMiB(pid).rss;
}

/** Deleted-but-open files `pid` holds whose name contains `marker`. */
export function deletedOpen(pid: number, marker: string): string[] {
  return (srv.openFds(pid).deleted as string[]).filter((l) => l.includes(marker));
}

/** Pids of live processes whose command line (arguments joined by spaces) contains `marker`, or starts with it. */
export function processesWith(marker: string, { prefix = false } = {}): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmdline: string;
    let stat: string;
    try {
      cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // A zombie is dead already (its parent has not reaped it): not running.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state !== 'Z' && (prefix ? cmdline.startsWith(marker) : cmdline.includes(marker))) found.push(Number(name));
  }
  return found;
}
