// The runtime facade's shapes <-> BoxLite REST API v1 JSON (OpenAPI `Box`,
// `CreateBoxRequest`, `ExecRequest`, `RuntimeMetrics`, `BoxMetrics`). Options
// are checked by the same functions as the embedded runtime's (same
// InvalidArgumentError texts) before anything is sent.
import { UnsupportedError } from '../errors/errors';
import { toExecSpec, toNativeBoxOptions } from '../runtime/runtime';
import type { BoxInfo, BoxMetrics, BoxOptions, ExecOptions, RuntimeMetrics } from '../runtime/runtime-types';
import { protocolError } from './remote-error';

type Json = Record<string, unknown>;

/** CreateBoxRequest for `options` (absent options are omitted, as BoxLite's client does). */
export function createBoxBody(options: BoxOptions): Json {
  const o = toNativeBoxOptions(options);
  if (o.volumes?.length) {
    // A host path names the server's file system, not the caller's.
    throw new UnsupportedError('unsupported: host bind mounts (volumes) are only supported by the local runtime; '
      + 'a REST server mounts managed volumes only');
  }
  const body: Json = {};
  if (o.name !== undefined) body.name = o.name;
  if (o.image !== undefined) body.image = o.image;
  if (o.rootfsPath !== undefined) body.rootfs_path = o.rootfsPath;
  if (o.cpus !== undefined) body.cpus = o.cpus;
  if (o.memoryMib !== undefined) body.memory_mib = o.memoryMib;
  if (o.diskSizeGb !== undefined) body.disk_size_gb = o.diskSizeGb;
  if (o.workdir !== undefined) body.working_dir = o.workdir;
  if (o.env !== undefined) body.env = o.env;
  if (o.network !== undefined) {
    const outbound: Json = { mode: o.network.mode ?? 'enabled' };
    if (o.network.allowNet !== undefined) outbound.allow_net = o.network.allowNet;
    body.network = { outbound };
  }
  if (o.entrypoint !== undefined) body.entrypoint = o.entrypoint;
  if (o.cmd !== undefined) body.cmd = o.cmd;
  if (o.detach !== undefined) body.detach = o.detach;
  if (o.autoStop !== undefined) body.auto_stop = o.autoStop;
  if (o.autoDelete !== undefined) body.auto_delete = o.autoDelete;
  if (o.autoResume !== undefined) body.auto_resume = o.autoResume;
  return body;
}

/**
 * ExecRequest for a command. `user` has no field in BoxLite's ExecRequest
 * (the box's `user` applies); asking for one is refused rather than dropped.
 */
export function execBody(command: string, args: string[] | undefined, options: ExecOptions): Json {
  const spec = toExecSpec(command, args, options);
  if (spec.user !== undefined) {
    throw new UnsupportedError('unsupported: a per-exec user is not part of BoxLite REST API v1 (ExecRequest has no user); '
      + 'set it for the whole box instead');
  }
  const body: Json = { command: spec.command };
  if (spec.args?.length) body.args = spec.args;
  if (spec.env !== undefined) body.env = spec.env;
  if (spec.timeoutSecs !== undefined && spec.timeoutSecs > 0) body.timeout_seconds = spec.timeoutSecs;
  if (spec.workdir !== undefined) body.working_dir = spec.workdir;
  body.tty = spec.tty === true;
  return body;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A `Box` answer -> BoxInfo. Throws a protocol error when it has no usable box_id. */
export function boxInfoOf(json: unknown, status: number | null = null, requestId: string | null = null): BoxInfo {
  const b = (json ?? {}) as Json;
  if (typeof b.box_id !== 'string' || b.box_id.length === 0) {
    throw protocolError(`the server's Box has no box_id: ${JSON.stringify(json).slice(0, 200)}`, status, requestId);
  }
  const created = typeof b.created_at === 'string' ? Date.parse(b.created_at) : Number.NaN;
  const net = b.network as { mode?: unknown; allow_net?: unknown } | null | undefined;
  const status_ = typeof b.status === 'string' ? b.status : 'unknown';
  return {
    id: b.box_id,
    name: typeof b.name === 'string' ? b.name : null,
    image: typeof b.image === 'string' ? b.image : '',
    status: status_,
    running: status_ === 'running',
    pid: num(b.pid),
    cpus: num(b.cpus),
    memoryMib: num(b.memory_mib),
    autoStop: numOrNull(b.auto_stop ?? b.auto_pause),
    autoDelete: numOrNull(b.auto_delete),
    autoResume: typeof b.auto_resume === 'boolean' ? b.auto_resume : null,
    // Unix seconds, as the engine reports them (the wire has ms precision at best).
    createdAt: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
    network: net && (net.mode === 'enabled' || net.mode === 'disabled')
      ? { mode: net.mode, allowNet: Array.isArray(net.allow_net) ? net.allow_net.filter((h): h is string => typeof h === 'string') : [] }
      : null,
  };
}

export function runtimeMetricsOf(json: unknown): RuntimeMetrics {
  const m = (json ?? {}) as Json;
  return {
    boxesCreatedTotal: num(m.boxes_created_total),
    boxesFailedTotal: num(m.boxes_failed_total),
    numRunningBoxes: num(m.num_running_boxes),
    totalCommandsExecuted: num(m.total_commands_executed),
    totalExecErrors: num(m.total_exec_errors),
  };
}

export function boxMetricsOf(json: unknown): BoxMetrics {
  const m = (json ?? {}) as Json;
  const boot = (m.boot_timing ?? {}) as Json;
  return {
    cpuPercent: num(m.cpu_percent),
    memoryBytes: num(m.memory_bytes),
    commandsExecuted: num(m.commands_executed_total),
    execErrors: num(m.exec_errors_total),
    bytesSent: num(m.bytes_sent_total),
    bytesReceived: num(m.bytes_received_total),
    createDurationMs: num(boot.total_create_ms),
    bootDurationMs: num(boot.guest_boot_ms),
    networkBytesSent: num(m.network_bytes_sent),
    networkBytesReceived: num(m.network_bytes_received),
    networkTcpConnections: num(m.network_tcp_connections),
    networkTcpErrors: num(m.network_tcp_errors),
  };
}
