// How the attach WebSocket packs output: consecutive chunks of one channel
// joined into frames of at most MAX_JOINED_PAYLOAD bytes (attach-frames.ts),
// and an attach to a command that has already ended answered in one write
// (the 101, the output, the exit frame and the close; no Ping).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JOINED_PAYLOAD, STDERR, STDOUT, joinOutputFrames, outputFrame } from '../lib/http/exec/attach-frames';
import { attach, attachUrl, createBox, request, serve, startExec, until, type Served } from './http-support';

function frame(channel: number, text: string): Buffer {
  return outputFrame(channel, Buffer.from(text));
}

describe('joinOutputFrames', () => {
  it('joins consecutive frames of one channel, keeping the order of the bytes', () => {
    const joined = joinOutputFrames([frame(STDOUT, 'ab'), frame(STDOUT, 'cd'), frame(STDOUT, 'e')]);
    expect(joined).toHaveLength(1);
    expect(joined[0][0]).toBe(STDOUT);
    expect(joined[0].subarray(1).toString()).toBe('abcde');
  });

  it('never joins across channels: stdout and stderr keep their interleaving', () => {
    const joined = joinOutputFrames([
      frame(STDOUT, 'a'), frame(STDOUT, 'b'), frame(STDERR, 'X'), frame(STDOUT, 'c'), frame(STDERR, 'Y'), frame(STDERR, 'Z'),
    ]);
    expect(joined.map((f) => [f[0], f.subarray(1).toString()])).toEqual([
      [STDOUT, 'ab'], [STDERR, 'X'], [STDOUT, 'c'], [STDERR, 'YZ'],
    ]);
  });

  it('keeps every joined frame within MAX_JOINED_PAYLOAD payload bytes', () => {
    const third = Math.floor(MAX_JOINED_PAYLOAD / 3);
    const frames = Array.from({ length: 7 }, (_, i) => outputFrame(STDOUT, Buffer.alloc(third, 97 + i)));
    const joined = joinOutputFrames(frames);
    for (const f of joined) expect(f.length - 1).toBeLessThanOrEqual(MAX_JOINED_PAYLOAD);
    expect(joined.map((f) => f.length - 1)).toEqual([3 * third, 3 * third, third]);
    expect(Buffer.concat(joined.map((f) => f.subarray(1)))).toEqual(Buffer.concat(frames.map((f) => f.subarray(1))));
  });

  it('a frame that joins nothing is the same buffer, not a copy; a payload of exactly the cap still joins', () => {
    const big = outputFrame(STDOUT, Buffer.alloc(MAX_JOINED_PAYLOAD + 1, 1));
    const small = frame(STDOUT, 'x');
    const joined = joinOutputFrames([small, big, small]);
    expect(joined).toHaveLength(3);
    expect(joined[0]).toBe(small);
    expect(joined[1]).toBe(big);
    expect(joined[2]).toBe(small);
    const halves = joinOutputFrames([outputFrame(STDERR, Buffer.alloc(MAX_JOINED_PAYLOAD - 1)), frame(STDERR, 'z')]);
    expect(halves).toHaveLength(1);
    expect(halves[0].length).toBe(MAX_JOINED_PAYLOAD + 1);
    expect(joinOutputFrames([])).toEqual([]);
  });
});

/** One server-to-client WebSocket frame (unmasked, RFC 6455 §5.2). */
interface WireFrame {
  opcode: number;
  payload: Buffer;
}

/** The frames in `bytes`, or null when they end mid-frame. */
function parseFrames(bytes: Buffer): WireFrame[] | null {
  const frames: WireFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 2) return null;
    const opcode = bytes[at] & 0x0f;
    let length = bytes[at + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      if (bytes.length - at < 4) return null;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (bytes.length - at < 10) return null;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (bytes.length - at < header + length) return null;
    frames.push({ opcode, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return frames;
}

/**
 * A raw WebSocket handshake on a plain TCP socket; resolves with the bytes of
 * the first read that arrived and of everything read until the server closed.
 */
function rawAttach(url: string): Promise<{ first: Buffer; all: Buffer }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      if (chunks.length === 0) reject(new Error('no answer'));
      else resolve({ first: chunks[0], all: Buffer.concat(chunks) });
    });
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    // The server closes after its close frame waits for ours; we answer none
    // and end our side once the close frame is in.
    const endWhenClosed = () => {
      const all = Buffer.concat(chunks);
      const body = all.indexOf('\r\n\r\n');
      const frames = body === -1 ? null : parseFrames(all.subarray(body + 4));
      if (frames !== null && frames.some((f) => f.opcode === 0x8)) socket.end();
    };
    socket.on('data', endWhenClosed);
  });
}

describe('attach to a command that has already ended', () => {
  let s: Served;
  let box: string;
  beforeAll(async () => {
    s = await serve();
    box = await createBox(s.origin);
  });
  afterAll(async () => { await s.close(); });

  async function finished(command: Record<string, unknown>): Promise<string> {
    const eid = await startExec(s.origin, box, command);
    await until(async () => (await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`)).json.status === 'completed',
      5000, 'the command to end');
    return eid;
  }

  it('gets its kept output joined into one frame, then the exit frame, and no Ping', async () => {
    // 500 small writes (about 4 KiB), all kept before the attach arrives.
    const script = 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done';
    const expected = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('');
    const { all } = await rawAttach(attachUrl(s.origin, box, await finished({ command: 'sh', args: ['-c', script] })));
    const frames = parseFrames(all.subarray(all.indexOf('\r\n\r\n') + 4));
    expect(frames).not.toBeNull();
    const binary = frames!.filter((f) => f.opcode === 0x2);
    expect(binary).toHaveLength(1);
    expect(binary[0].payload[0]).toBe(STDOUT);
    expect(binary[0].payload.subarray(1).toString()).toBe(expected);
    expect(frames!.some((f) => f.opcode === 0x9)).toBe(false); // no Ping

    // The same through a WebSocket client.
    const at = await attach(attachUrl(s.origin, box, await finished({ command: 'sh', args: ['-c', script] })));
    expect(await at.closed).toEqual({ exitCode: 0, closeCode: 1000 });
    expect(at.stdout()).toBe(expected);
    expect(at.pings()).toBe(0);
  });

  it('answers in one write: the 101, the output, the exit frame and the close come in the first read', async () => {
    const eid = await finished({ command: 'sh', args: ['-c', 'echo out; echo err >&2'] });
    const { first, all } = await rawAttach(attachUrl(s.origin, box, eid));
    expect(first.equals(all)).toBe(true);
    const text = first.toString('latin1');
    expect(text.startsWith('HTTP/1.1 101 ')).toBe(true);
    const frames = parseFrames(first.subarray(text.indexOf('\r\n\r\n') + 4));
    expect(frames).not.toBeNull();
    const binary = frames!.filter((f) => f.opcode === 0x2).map((f) => [f.payload[0], f.payload.subarray(1).toString()]);
    expect(binary.sort()).toEqual([[STDOUT, 'out\n'], [STDERR, 'err\n']].sort());
    const texts = frames!.filter((f) => f.opcode === 0x1).map((f) => JSON.parse(f.payload.toString()));
    expect(texts).toEqual([{ type: 'exit', exit_code: 0 }]);
    expect(frames!.at(-1)!.opcode).toBe(0x8);
    expect(frames!.at(-1)!.payload.readUInt16BE(0)).toBe(1000);
    expect(frames!.some((f) => f.opcode === 0x9)).toBe(false); // no Ping
  });
});
