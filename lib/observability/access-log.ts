// The CLI's log: one line per answered request on stderr, plus lifecycle
// lines (startup, shutdown) and the events an operator acts on (limit
// rejections, reaps, spilled output). `json` is one JSON object per line for
// log shippers; `text` (the default) is the same fields for a terminal.
//
// Lines are built from the diagnostics-channel messages, which carry no
// request headers: no token or Authorization value can reach the log.
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  CHANNEL_NAMES, type ExecReapMessage, type HttpResponseMessage, type LimitRejectionMessage, type OutputSpillMessage,
} from './channels';

export const LOG_FORMATS = ['text', 'json', 'none'] as const;
export type LogFormat = typeof LOG_FORMATS[number];
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  /** One line: `msg` and its fields (snake_case names, scalar values). */
  log(level: LogLevel, msg: string, fields?: Record<string, string | number | boolean | null>): void;
  /** Stops following the channels. */
  close(): void;
}

function levelOf(status: number): LogLevel {
  if (status >= 500) return 'error';
  return status >= 400 ? 'warn' : 'info';
}

function textValue(v: string | number | boolean | null): string {
  if (v === null) return '-';
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

export function formatLine(format: 'text' | 'json', time: Date, level: LogLevel, msg: string,
  fields: Record<string, string | number | boolean | null>): string {
  if (format === 'json') return `${JSON.stringify({ time: time.toISOString(), level, msg, ...fields })}\n`;
  let line = `${time.toISOString()} ${level.padEnd(5)} ${msg}`;
  for (const [k, v] of Object.entries(fields)) line += ` ${k}=${textValue(v)}`;
  return `${line}\n`;
}

/** Request fields in the order both formats print them. */
export function requestFields(m: HttpResponseMessage): Record<string, string | number | boolean | null> {
  return {
    request_id: m.requestId,
    method: m.method,
    route: m.route,
    status: m.status,
    duration_ms: Math.round(m.durationMs * 1000) / 1000,
    error_code: m.errorCode,
    ...(m.aborted ? { aborted: true } : {}),
  };
}

/** A logger writing `format` lines to `write` (default stderr) and following the channels; 'none' logs nothing. */
export function startLogger(format: LogFormat, write: (line: string) => void = (l) => { process.stderr.write(l); }): Logger {
  if (format === 'none') return { log: () => undefined, close: () => undefined };
  const log: Logger['log'] = (level, msg, fields = {}) => write(formatLine(format, new Date(), level, msg, fields));
  const onResponse = (m: unknown) => {
    const message = m as HttpResponseMessage;
    log(levelOf(message.status), 'request', requestFields(message));
  };
  const onRejection = (m: unknown) => {
    const { limit, max, current } = m as LimitRejectionMessage;
    log('warn', 'limit rejection', { limit, max, current });
  };
  const onReap = (m: unknown) => {
    const { boxId, executionId, idleTimeoutMs } = m as ExecReapMessage;
    log('warn', 'execution reaped', { box_id: boxId, execution_id: executionId, idle_timeout_ms: idleTimeoutMs });
  };
  const onSpill = (m: unknown) => {
    const { boxId, executionId, spilledBytes } = m as OutputSpillMessage;
    log('info', 'output spilled', { box_id: boxId, execution_id: executionId, spilled_bytes: spilledBytes });
  };
  const subscriptions: [string, (m: unknown) => void][] = [
    [CHANNEL_NAMES.httpResponse, onResponse], [CHANNEL_NAMES.limitRejection, onRejection],
    [CHANNEL_NAMES.execReap, onReap], [CHANNEL_NAMES.outputSpill, onSpill],
  ];
  for (const [name, fn] of subscriptions) diagnosticsChannel.subscribe(name, fn);
  return {
    log,
    close: () => { for (const [name, fn] of subscriptions) diagnosticsChannel.unsubscribe(name, fn); },
  };
}
