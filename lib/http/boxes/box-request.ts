// POST P/boxes: the body the official client sends (trace §3) and the one the
// OpenAPI spec describes, which differ; both are accepted. Every field either
// client sends is known; anything else is refused. Fields this server cannot
// honour on a local runtime are refused with `unsupported` rather than
// silently dropped, unless they hold their "off" value. The parser returns the
// options or the error to answer (see validate.ts: no throws on this path).
import type { BoxOptions, NetworkSpec } from '../../runtime/runtime-types';
import { UnsupportedError } from '../../errors/errors';
import type { HttpStatusError } from '../protocol/http-error';
import {
  Check, type JsonObject, expectObject, optArray, optBoolean, optInteger, optString,
  optStringArray, optStringMap, rejectUnknownFields,
} from '../protocol/validate';

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

/** An env object: string values, names without '='. */
export function envMap(c: Check, obj: JsonObject, key: string, where: string): Record<string, string> | undefined {
  const env = optStringMap(c, obj, key, where);
  if (env !== undefined) {
    for (const name of Object.keys(env)) {
      if (name.includes('=')) return c.fail(`${key}: variable name ${JSON.stringify(name)} must not contain '='`);
    }
  }
  return env;
}

function parseMode(c: Check, obj: JsonObject, where: string): 'enabled' | 'disabled' | undefined {
  const mode = optString(c, obj, 'mode', where);
  if (mode === undefined) return undefined;
  if (mode !== 'enabled' && mode !== 'disabled') return c.fail(`${where}.mode must be "enabled" or "disabled", got ${JSON.stringify(mode)}`);
  return mode;
}

/** Both shapes: flat `{mode, allow_net}` (spec, deprecated) and `{outbound, inbound}` (client 0.10.0). */
export function parseNetwork(c: Check, value: unknown): NetworkSpec | undefined {
  const net = expectObject(c, value, 'network');
  if (net === undefined) return undefined;
  rejectUnknownFields(c, net, NETWORK_FIELDS, 'network');
  const flat = net.mode !== undefined || net.allow_net !== undefined;
  const nested = net.outbound !== undefined || net.inbound !== undefined;
  if (flat && nested) return c.fail('network: use either {mode, allow_net} or {outbound, inbound}, not both');
  let mode: 'enabled' | 'disabled' | undefined;
  let allowNet: string[] | undefined;
  if (nested) {
    if (net.outbound !== undefined && net.outbound !== null) {
      const out = expectObject(c, net.outbound, 'network.outbound');
      if (out === undefined) return undefined;
      rejectUnknownFields(c, out, DIRECTION_FIELDS, 'network.outbound');
      mode = parseMode(c, out, 'network.outbound');
      if (mode === undefined) return c.fail('network.outbound.mode is required');
      allowNet = optStringArray(c, out, 'allow_net', 'network.outbound');
    }
    if (net.inbound !== undefined && net.inbound !== null) {
      const inb = expectObject(c, net.inbound, 'network.inbound');
      if (inb === undefined) return undefined;
      rejectUnknownFields(c, inb, DIRECTION_FIELDS, 'network.inbound');
      if (parseMode(c, inb, 'network.inbound') === undefined) return c.fail('network.inbound.mode is required');
      const inboundAllow = optStringArray(c, inb, 'allow_net', 'network.inbound');
      if (inboundAllow && inboundAllow.length > 0) return c.fail('network.inbound.allow_net is not supported; omit it or send []');
      // Inbound exposure is a remote-proxy feature; a local runtime publishes
      // nothing, so either mode leaves the box private. Accepted, no effect.
    }
  } else {
    mode = parseMode(c, net, 'network');
    allowNet = optStringArray(c, net, 'allow_net', 'network');
    if (mode === undefined && allowNet !== undefined) mode = 'enabled';
  }
  if (mode === 'disabled' && allowNet && allowNet.length > 0) {
    return c.fail('network.allow_net is incompatible with mode "disabled"');
  }
  const spec: NetworkSpec = {};
  if (mode !== undefined) spec.mode = mode;
  if (allowNet !== undefined) spec.allowNet = allowNet;
  return spec;
}

/** Checks the shape; returns true when the list asks for something (refused by the caller). */
function checkVolumes(c: Check, list: unknown[]): boolean {
  list.forEach((item, i) => {
    const where = `volumes[${i}]`;
    const v = expectObject(c, item, where);
    if (v === undefined) return;
    rejectUnknownFields(c, v, VOLUME_FIELDS, where);
    optString(c, v, 'managed_volume', where, { nonEmpty: true });
    optString(c, v, 'guest_path', where);
    optBoolean(c, v, 'read_only', where);
    if (v.managed_volume === undefined || v.guest_path === undefined) c.fail(`${where} needs managed_volume and guest_path`);
  });
  return list.length > 0;
}

function checkSecrets(c: Check, list: unknown[]): boolean {
  list.forEach((item, i) => {
    const where = `secrets[${i}]`;
    const s = expectObject(c, item, where);
    if (s === undefined) return;
    rejectUnknownFields(c, s, SECRET_FIELDS, where);
    // A secret's value is never echoed, whatever the problem.
    if (optString(c, s, 'name', where, { nonEmpty: true }) === undefined) c.fail(`${where}.name is required`);
    if (typeof s.value !== 'string') c.fail(`${where}.value is required and must be a string`);
    optStringArray(c, s, 'hosts', where);
    optString(c, s, 'placeholder', where);
  });
  return list.length > 0;
}

function checkAdvanced(c: Check, value: unknown): boolean {
  const adv = expectObject(c, value, 'advanced');
  if (adv === undefined) return false;
  rejectUnknownFields(c, adv, ADVANCED_FIELDS, 'advanced');
  if (adv.capabilities === undefined || adv.capabilities === null) return false;
  const caps = expectObject(c, adv.capabilities, 'advanced.capabilities');
  if (caps === undefined) return false;
  rejectUnknownFields(c, caps, CAPABILITY_FIELDS, 'advanced.capabilities');
  const add = optStringArray(c, caps, 'add', 'advanced.capabilities') ?? [];
  const drop = optStringArray(c, caps, 'drop', 'advanced.capabilities') ?? [];
  return add.length > 0 || drop.length > 0;
}

export function parseCreateBoxRequest(body: unknown): CreateBoxRequest | HttpStatusError | UnsupportedError {
  const c = new Check();
  const b = expectObject(c, body === undefined ? {} : body, 'request body');
  if (b === undefined) return c.error as HttpStatusError;
  rejectUnknownFields(c, b, CREATE_FIELDS, 'request body');
  if (c.error !== null) return c.error;
  const where = 'request body';
  const options: BoxOptions = {};

  const name = optString(c, b, 'name', where, { maxLength: 128 });
  if (name !== undefined) {
    if (!NAME_PATTERN.test(name)) c.fail(`name must match ${NAME_PATTERN.source}, got ${JSON.stringify(name)}`);
    options.name = name;
  }
  const image = optString(c, b, 'image', where, { nonEmpty: true });
  const rootfs = optString(c, b, 'rootfs_path', where, { nonEmpty: true });
  if (image !== undefined && rootfs !== undefined) c.fail('image and rootfs_path are mutually exclusive');
  if (rootfs !== undefined) options.rootfsPath = rootfs;
  else options.image = image ?? DEFAULT_IMAGE;

  const cpus = optInteger(c, b, 'cpus', where, { min: 1, max: 255 });
  if (cpus !== undefined) options.cpus = cpus;
  const memory = optInteger(c, b, 'memory_mib', where, { min: 1, max: 0x7fffffff });
  if (memory !== undefined) options.memoryMib = memory;
  const disk = optInteger(c, b, 'disk_size_gb', where, { min: 1, max: 0x7fffffff });
  if (disk !== undefined) options.diskSizeGb = disk;
  const workdir = optString(c, b, 'working_dir', where);
  if (workdir !== undefined) options.workdir = workdir;
  const env = envMap(c, b, 'env', where);
  if (env !== undefined) options.env = env;
  if (b.network !== undefined && b.network !== null) {
    const network = parseNetwork(c, b.network);
    if (network !== undefined) options.network = network;
  }
  const entrypoint = optStringArray(c, b, 'entrypoint', where);
  if (entrypoint !== undefined) options.entrypoint = entrypoint;
  const cmd = optStringArray(c, b, 'cmd', where);
  if (cmd !== undefined) options.cmd = cmd;
  const user = optString(c, b, 'user', where, { nonEmpty: true });

  const secrets = optArray(c, b, 'secrets', where);
  const wantsSecrets = secrets !== undefined && checkSecrets(c, secrets);
  const volumes = optArray(c, b, 'volumes', where);
  const wantsVolumes = volumes !== undefined && checkVolumes(c, volumes);
  const wantsCapabilities = b.advanced !== undefined && b.advanced !== null && checkAdvanced(c, b.advanced);

  const detach = optBoolean(c, b, 'detach', where);
  if (detach !== undefined) options.detach = detach;
  const tty = optBoolean(c, b, 'tty', where);

  // Lifecycle: the spec's and the client's names for one setting.
  const autoStop = optInteger(c, b, 'auto_stop', where, { min: 0, max: 0xffffffff });
  const autoPause = optInteger(c, b, 'auto_pause', where, { min: 0, max: 0xffffffff });
  if (autoStop !== undefined && autoPause !== undefined && autoStop !== autoPause) {
    c.fail('auto_stop and auto_pause name the same setting; they disagree');
  }
  const autoDelete = optInteger(c, b, 'auto_delete', where, { min: 0, max: 0xffffffff });
  // auto_resume only matters after an AutoStop, which never happens here.
  optBoolean(c, b, 'auto_resume', where);
  if (c.error !== null) return c.error;

  // Well-formed but beyond a local runtime: `unsupported`, never dropped.
  if (wantsVolumes) return unsupported('named volumes are not supported by this server (local runtime)');
  if (wantsSecrets) return unsupported('secret substitution is not supported by this server (local runtime)');
  if (wantsCapabilities) {
    return unsupported('Linux capability policy is not supported by this server (GET /v1/config: linux_capabilities_enabled=false)');
  }
  if (tty === true) return unsupported('a tty for the box main command is not supported; use tty on exec');
  if ((autoStop ?? autoPause ?? 0) > 0) return unsupported('AutoStop is only supported by REST runtimes; send auto_stop: 0 or omit it');
  if ((autoDelete ?? 0) > 0) return unsupported('AutoDelete with a delay is not supported by this server; send auto_delete: 0 or omit it');

  // A REST box outlives its stop (the spec's `stopped` state can be
  // restarted); libboxlite's local default would remove it on stop.
  options.autoRemove = false;

  const result: CreateBoxRequest = { options };
  if (user !== undefined) result.user = user;
  return result;
}
