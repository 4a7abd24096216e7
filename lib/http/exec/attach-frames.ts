// The attach WebSocket's frame protocol (BoxLite REST API v1), both ways.
//   server -> client: binary [0x01 stdout | 0x02 stderr] + bytes;
//                     text {"type":"exit","exit_code":N} | {"type":"error","message":...}
//   client -> server: binary = raw stdin bytes (no channel byte);
//                     text {"type":"stdin_eof"} | {"type":"resize","cols","rows"} | {"type":"signal","sig"}
import type { RawData } from 'ws';
import { checkResize, checkSignal } from './exec-request';
import { Check, isPlainObject } from '../protocol/validate';
import { prependByte } from '../../runtime/chunk-headroom';

export const STDOUT = 0x01;
export const STDERR = 0x02;

/**
 * `[channel] + data` in one buffer: one output frame (joinOutputFrames may join
 * consecutive ones of a channel).
 * Chunks from the addon are framed in place, over the spare byte in front of
 * their data, so the data is not copied again; other buffers are copied
 * (chunk-headroom.ts).
 */
export function outputFrame(channel: number, data: Buffer): Buffer {
  return prependByte(channel, data);
}

/**
 * Largest output frame made by joining chunks (payload bytes, the channel
 * byte not counted). Engines may hand output over in small pieces (the test
 * engine reads its pipes 4-64 KiB at a time), and every WebSocket message
 * costs both ends a fixed amount (framing, a write, a 'message' event) well
 * above what copying a small chunk costs. A chunk this large or larger is
 * sent alone, not copied.
 */
export const MAX_JOINED_PAYLOAD = 64 << 10;

/**
 * `frames` (output frames, oldest first) with each run of consecutive frames
 * of one channel joined into frames of at most MAX_JOINED_PAYLOAD payload
 * bytes: the same bytes in the same order, in fewer WebSocket messages. A
 * frame that joins nothing is returned as it is (no copy).
 */
export function joinOutputFrames(frames: readonly Buffer[]): Buffer[] {
  const joined: Buffer[] = [];
  let i = 0;
  while (i < frames.length) {
    const first = frames[i];
    let payload = first.length - 1;
    let end = i + 1;
    while (end < frames.length && frames[end][0] === first[0] && payload + frames[end].length - 1 <= MAX_JOINED_PAYLOAD) {
      payload += frames[end].length - 1;
      end++;
    }
    if (end === i + 1) {
      joined.push(first);
    } else {
      const frame = Buffer.allocUnsafe(payload + 1);
      frame[0] = first[0];
      let at = 1;
      for (let k = i; k < end; k++) at += frames[k].copy(frame, at, 1);
      joined.push(frame);
    }
    i = end;
  }
  return joined;
}

export function exitFrame(exitCode: number): string {
  return JSON.stringify({ type: 'exit', exit_code: exitCode });
}

export function errorFrame(message: string): string {
  return JSON.stringify({ type: 'error', message });
}

export type ClientFrame =
  | { kind: 'stdin'; bytes: Buffer }
  | { kind: 'stdin_eof' }
  | { kind: 'resize'; cols: number; rows: number }
  | { kind: 'signal'; sig: number }
  /** Not acted on: answered with an error frame, the socket stays open. */
  | { kind: 'invalid'; message: string };

/** Decodes one client frame. `tty` decides whether resize is allowed. */
export function decodeClientFrame(data: RawData, isBinary: boolean, tty: boolean): ClientFrame {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (isBinary) return { kind: 'stdin', bytes };
  let msg: unknown;
  try {
    msg = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'invalid', message: 'control frame is not valid JSON' };
  }
  if (!isPlainObject(msg) || typeof msg.type !== 'string') {
    return { kind: 'invalid', message: 'control frame needs a string "type"' };
  }
  const c = new Check();
  switch (msg.type) {
    case 'stdin_eof':
      return { kind: 'stdin_eof' };
    case 'resize': {
      const size = checkResize(c, msg, 'resize frame');
      if (size === undefined) break;
      if (!tty) return { kind: 'invalid', message: 'invalid argument: resize needs an execution started with tty: true' };
      return { kind: 'resize', cols: size.cols, rows: size.rows };
    }
    case 'signal': {
      // The spec names the field `sig`; `signal` (the HTTP body's name) is accepted too.
      const sig = checkSignal(c, msg.sig ?? msg.signal);
      if (sig === undefined) break;
      return { kind: 'signal', sig };
    }
    default:
      return { kind: 'invalid', message: `unknown control frame type ${JSON.stringify(msg.type)}` };
  }
  return { kind: 'invalid', message: c.error?.message ?? 'invalid control frame' };
}
