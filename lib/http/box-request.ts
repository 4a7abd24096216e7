// POST P/boxes: the body the official client sends (trace §3) and the one the
// OpenAPI spec describes, which differ; both are accepted. Every field either
// client sends is known; anything else is refused. Fields this server cannot
// honour on a local runtime are refused with `unsupported` rather than
// silently dropped, unless they hold their "off" value.
import type { BoxOptions, NetworkSpec } from '../runtime-types';
import { UnsupportedError } from '../errors';
import {
  type JsonObject, expectObject, invalid, optArray, optBoolean, optInteger, optString,
  optStringArray, optStringMap, rejectUnknownFields,
} from './validate';

const CREATE_FIELDS = new Set([
  'name', 'image', 'rootfs_path', 'cpus', 'memory_mib', 'disk_size_gb', 'working_dir', 'env', 'network',
  'entrypoint', 'cmd', 'user', 'secrets', 'detach', 'advanced', 'volumes', 'tty',
  'auto_stop', 'auto_pause', 'auto_delete', 'auto_resume',
]);
const NETWORK_FIELDS = new Set(['mode', 'allow_net', 'outbound', 'inbound']);
const DIRECTION_FIELDS = new Set(['mode', 'allow_net']);
const VOLUME_FIELDS = new Set(['managed_volume', 'guest_path', 'read_only']);
const SECRET_FIELDS = new Set(['name', 'value', 'hosts', 'placeholder']);
const ADVANCED_FIELDS = new Set(['capabilities']);
const CAPABILITY_FIELDS = new Set(['add', 'drop']);

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const DEFAULT_IMAGE = 'alpine:latest';

export interface CreateBoxRequest {
  options: BoxOptions;
  /** Default user for this box's execs (the runtime has no box-level user). */
  user?: string;
}

function unsupported(message: string): UnsupportedError {
  return new UnsupportedError(`unsupported: ${message}`);
}

export function envMap(obj: JsonObject, key: string, where: string): Record<string, string> | undefined {
  const env = optStringMap(obj, key, where);
  if (env) {
    for (const name of Object.keys(env)) {
      if (name.includes('=')) throw invalid(`${key}: variable name ${JSON.stringify(name)} must not contain '='`);
    }
  }
  return env;
}

function parseMode(obj: JsonObject, where: string): 'enabled' | 'disabled' | undefined {
  const mode = optString(obj, 'mode', where);
  if (mode === undefined) return undefined;
  if (mode !== 'enabled' && mode !== 'disabled') throw invalid(`${where}.mode must be "enabled" or "disabled", got ${JSON.stringify(mode)}`);
  return mode;
}

/** Both shapes: flat `{mode, allow_net}` (spec, deprecated) and `{outbound, inbound}` (client 0.10.0). */
export function parseNetwork(value: unknown): NetworkSpec {
  const net = expectObject(value, 'network');
  rejectUnknownFields(net, NETWORK_FIELDS, 'network');
  const flat = net.mode !== undefined || net.allow_net !== undefined;
  const nested = net.outbound !== undefined || net.inbound !== undefined;
  if (flat && nested) throw invalid('network: use either {mode, allow_net} or {outbound, inbound}, not both');
  let mode: 'enabled' | 'disabled' | undefined;
  let allowNet: string[] | undefined;
  if (nested) {
    if (net.outbound !== undefined && net.outbound !== null) {
      const out = expectObject(net.outbound, 'network.outbound');
      rejectUnknownFields(out, DIRECTION_FIELDS, 'network.outbound');
      mode = parseMode(out, 'network.outbound');
      if (mode === undefined) throw invalid('network.outbound.mode is required');
      allowNet = optStringArray(out, 'allow_net', 'network.outbound');
    }
    if (net.inbound !== undefined && net.inbound !== null) {
      const inb = expectObject(net.inbound, 'network.inbound');
      rejectUnknownFields(inb, DIRECTION_FIELDS, 'network.inbound');
      if (parseMode(inb, 'network.inbound') === undefined) throw invalid('network.inbound.mode is required');
      const inboundAllow = optStringArray(inb, 'allow_net', 'network.inbound');
      if (inboundAllow && inboundAllow.length > 0) throw invalid('network.inbound.allow_net is not supported; omit it or send []');
      // Inbound exposure is a remote-proxy feature; a local runtime publishes
      // nothing, so either mode leaves the box private. Accepted, no effect.
    }
  } else {
    mode = parseMode(net, 'network');
    allowNet = optStringArray(net, 'allow_net', 'network');
    if (mode === undefined && allowNet !== undefined) mode = 'enabled';
  }
  if (mode === 'disabled' && allowNet && allowNet.length > 0) {
    throw invalid('network.allow_net is incompatible with mode "disabled"');
  }
  const spec: NetworkSpec = {};
  if (mode !== undefined) spec.mode = mode;
  if (allowNet !== undefined) spec.allowNet = allowNet;
  return spec;
}

function parseVolumes(list: unknown[]): void {
  list.forEach((item, i) => {
    const where = `volumes[${i}]`;
    const v = expectObject(item, where);
    rejectUnknownFields(v, VOLUME_FIELDS, where);
    optString(v, 'managed_volume', where, { nonEmpty: true });
    optString(v, 'guest_path', where);
    optBoolean(v, 'read_only', where);
    if (v.managed_volume === undefined || v.guest_path === undefined) throw invalid(`${where} needs managed_volume and guest_path`);
  });
  if (list.length > 0) throw unsupported('named volumes are not supported by this server (local runtime)');
}

function parseSecrets(list: unknown[]): void {
  list.forEach((item, i) => {
    const where = `secrets[${i}]`;
    const s = expectObject(item, where);
    rejectUnknownFields(s, SECRET_FIELDS, where);
    if (optString(s, 'name', where, { nonEmpty: true }) === undefined) throw invalid(`${where}.name is required`);
    if (optString(s, 'value', where) === undefined) throw invalid(`${where}.value is required`);
    optStringArray(s, 'hosts', where);
    optString(s, 'placeholder', where);
  });
  // The value would be named in no error message: never echo secrets.
  if (list.length > 0) throw unsupported('secret substitution is not supported by this server (local runtime)');
}

function parseAdvanced(value: unknown): void {
  const adv = expectObject(value, 'advanced');
  rejectUnknownFields(adv, ADVANCED_FIELDS, 'advanced');
  if (adv.capabilities === undefined || adv.capabilities === null) return;
  const caps = expectObject(adv.capabilities, 'advanced.capabilities');
  rejectUnknownFields(caps, CAPABILITY_FIELDS, 'advanced.capabilities');
  const add = optStringArray(caps, 'add', 'advanced.capabilities') ?? [];
  const drop = optStringArray(caps, 'drop', 'advanced.capabilities') ?? [];
  if (add.length > 0 || drop.length > 0) {
    throw unsupported('Linux capability policy is not supported by this server (GET /v1/config: linux_capabilities_enabled=false)');
  }
}

export function parseCreateBoxRequest(body: unknown): CreateBoxRequest {
  const b = expectObject(body === undefined ? {} : body, 'request body');
  rejectUnknownFields(b, CREATE_FIELDS, 'request body');
  const where = 'request body';
  const options: BoxOptions = {};

  const name = optString(b, 'name', where, { maxLength: 128 });
  if (name !== undefined) {
    if (!NAME_PATTERN.test(name)) throw invalid(`name must match ${NAME_PATTERN.source}, got ${JSON.stringify(name)}`);
    options.name = name;
  }
  const image = optString(b, 'image', where, { nonEmpty: true });
  const rootfs = optString(b, 'rootfs_path', where, { nonEmpty: true });
  if (image !== undefined && rootfs !== undefined) throw invalid('image and rootfs_path are mutually exclusive');
  if (rootfs !== undefined) options.rootfsPath = rootfs;
  else options.image = image ?? DEFAULT_IMAGE;

  const cpus = optInteger(b, 'cpus', where, { min: 1, max: 255 });
  if (cpus !== undefined) options.cpus = cpus;
  const memory = optInteger(b, 'memory_mib', where, { min: 1, max: 0x7fffffff });
  if (memory !== undefined) options.memoryMib = memory;
  const disk = optInteger(b, 'disk_size_gb', where, { min: 1, max: 0x7fffffff });
  if (disk !== undefined) options.diskSizeGb = disk;
  const workdir = optString(b, 'working_dir', where);
  if (workdir !== undefined) options.workdir = workdir;
  const env = envMap(b, 'env', where);
  if (env !== undefined) options.env = env;
  if (b.network !== undefined && b.network !== null) options.network = parseNetwork(b.network);
  const entrypoint = optStringArray(b, 'entrypoint', where);
  if (entrypoint !== undefined) options.entrypoint = entrypoint;
  const cmd = optStringArray(b, 'cmd', where);
  if (cmd !== undefined) options.cmd = cmd;
  const user = optString(b, 'user', where, { nonEmpty: true });

  const secrets = optArray(b, 'secrets', where);
  if (secrets) parseSecrets(secrets);
  const volumes = optArray(b, 'volumes', where);
  if (volumes) parseVolumes(volumes);
  if (b.advanced !== undefined && b.advanced !== null) parseAdvanced(b.advanced);

  const detach = optBoolean(b, 'detach', where);
  if (detach !== undefined) options.detach = detach;
  if (optBoolean(b, 'tty', where) === true) throw unsupported('a tty for the box main command is not supported; use tty on exec');

  // Lifecycle: the spec's and the client's names for one setting.
  const autoStop = optInteger(b, 'auto_stop', where, { min: 0, max: 0xffffffff });
  const autoPause = optInteger(b, 'auto_pause', where, { min: 0, max: 0xffffffff });
  if (autoStop !== undefined && autoPause !== undefined && autoStop !== autoPause) {
    throw invalid('auto_stop and auto_pause name the same setting; they disagree');
  }
  if ((autoStop ?? autoPause ?? 0) > 0) throw unsupported('AutoStop is only supported by REST runtimes; send auto_stop: 0 or omit it');
  if ((optInteger(b, 'auto_delete', where, { min: 0, max: 0xffffffff }) ?? 0) > 0) {
    throw unsupported('AutoDelete with a delay is not supported by this server; send auto_delete: 0 or omit it');
  }
  // auto_resume only matters after an AutoStop, which never happens here.
  optBoolean(b, 'auto_resume', where);

  // A REST box outlives its stop (the spec's `stopped` state can be
  // restarted); libboxlite's local default would remove it on stop.
  options.autoRemove = false;

  const result: CreateBoxRequest = { options };
  if (user !== undefined) result.user = user;
  return result;
}

