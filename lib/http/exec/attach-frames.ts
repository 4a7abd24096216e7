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
 * `[channel] + data` in one buffer (one frame = one chunk on the client).
 * Chunks from the addon are framed in place, over the spare byte in front of
 * their data, so the data is not copied again; other buffers are copied
 * (chunk-headroom.ts).
 */
export function outputFrame(channel: number, data: Buffer): Buffer {
  return prependByte(channel, data);
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
