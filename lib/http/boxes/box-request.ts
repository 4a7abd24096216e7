// POST P/boxes: the body the official client sends (trace §3) and the one the
// OpenAPI spec describes, which differ; both are accepted. Every field either
// client sends is known; anything else is refused. The document's bounds
// (cpus 1..32, memory_mib >= 128, the name pattern, enums, required fields)
// are read from protocol/request-schemas.ts. Fields this server cannot
// honour on a local runtime are refused with `unsupported` rather than
// silently dropped, unless they hold their "off" value. The parser returns the
// options or the error to answer (see validate.ts: no throws on this path).
import type { BoxOptions, NetworkSpec } from '../../runtime/runtime-types';
import { UnsupportedError } from '../../errors/errors';
import type { HttpStatusError } from '../protocol/http-error';
import { REQUEST_SCHEMAS, knownFields } from '../protocol/request-schemas';
import {
  Check, type JsonObject, expectObject, optArray, optBoolean, optInteger, optString,
  optStringArray, optStringMap, rejectUnknownFields,
} from '../protocol/validate';

const CREATE = REQUEST_SCHEMAS.CreateBoxRequest.properties;
const VOLUME = REQUEST_SCHEMAS.VolumeSpec.properties;
// `auto_pause`: the name BoxLite's earlier REST wire gave auto_stop (its own
// `boxlite serve` read `auto_pause: Option<u32>`, and Runtime.rest() reads it
// back from a Box); still taken so those clients keep working.
const CREATE_FIELDS = knownFields('CreateBoxRequest', ['auto_pause']);
const NETWORK_FIELDS = knownFields('NetworkSpec');
const DIRECTION_FIELDS = knownFields('OutboundNetworkSpec');
const VOLUME_FIELDS = knownFields('VolumeSpec');
const SECRET_FIELDS = knownFields('SecretSpec');
const ADVANCED_FIELDS = knownFields('CreateBoxAdvancedOptions');
const CAPABILITY_FIELDS = knownFields('CreateContainerCapabilities');
const NETWORK_MODES: readonly string[] = REQUEST_SCHEMAS.OutboundNetworkSpec.properties.mode.enum;

// JSON Schema patterns are ECMA-262 regular expressions, so the document's
// string is used as it is.
const NAME_PATTERN = new RegExp(CREATE.name.pattern, 'u');
/**
 * Ceilings the document leaves open: libboxlite takes memory and disk as a C
 * int (boxlite_options_set_memory, _set_disk_size_gb) and the lifecycle
 * delays as uint32_t seconds.
 */
const MAX_MEMORY_MIB = 0x7fffffff;
const MAX_DISK_SIZE_GB = 0x7fffffff;
const MAX_LIFECYCLE_SECONDS = 0xffffffff;
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
  if (!NETWORK_MODES.includes(mode)) {
    return c.fail(`${where}.mode must be one of ${NETWORK_MODES.map((m) => JSON.stringify(m)).join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return mode as 'enabled' | 'disabled';
}

/** Both shapes: flat `{mode, allow_net}` (spec, deprecated) and `{outbound, inbound}` (client 0.10.0). */
export function parseNetwork(c: Check, value: unknown): NetworkSpec | undefined {
  const net = expectObject(c, value, 'network');
  if (net === undefined) return undefined;
  rejectUnknownFields(c, net, NETWORK_FIELDS, 'network');
  // JSON null is an absent field here too: a client may write every field of
  // NetworkSpec, null for the shape it does not use.
  const given = (v: unknown) => v !== undefined && v !== null;
  const flat = given(net.mode) || given(net.allow_net);
  const nested = given(net.outbound) || given(net.inbound);
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
    optString(c, v, 'managed_volume', where, { nonEmpty: VOLUME.managed_volume.minLength > 0 });
    optString(c, v, 'guest_path', where);
    const readOnly = optBoolean(c, v, 'read_only', where);
    if (readOnly !== undefined && !(VOLUME.read_only.enum as readonly boolean[]).includes(readOnly)) {
      c.fail(`${where}.read_only must be ${VOLUME.read_only.enum.join(' or ')}: read-only managed volumes are not implemented (BoxLite's document refuses true rather than mounting read-write)`);
    }
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

  const name = optString(c, b, 'name', where, { nonEmpty: CREATE.name.minLength > 0, maxLength: CREATE.name.maxLength });
  if (name !== undefined) {
    if (!NAME_PATTERN.test(name)) c.fail(`name must match ${NAME_PATTERN.source}, got ${JSON.stringify(name)}`);
    options.name = name;
  }
  const image = optString(c, b, 'image', where, { nonEmpty: true });
  const rootfs = optString(c, b, 'rootfs_path', where, { nonEmpty: true });
  if (image !== undefined && rootfs !== undefined) c.fail('image and rootfs_path are mutually exclusive');
  if (rootfs !== undefined) options.rootfsPath = rootfs;
  else options.image = image ?? DEFAULT_IMAGE;

  const cpus = optInteger(c, b, 'cpus', where, { min: CREATE.cpus.minimum, max: CREATE.cpus.maximum });
  if (cpus !== undefined) options.cpus = cpus;
  const memory = optInteger(c, b, 'memory_mib', where, { min: CREATE.memory_mib.minimum, max: MAX_MEMORY_MIB });
  if (memory !== undefined) options.memoryMib = memory;
  const disk = optInteger(c, b, 'disk_size_gb', where, { min: CREATE.disk_size_gb.minimum, max: MAX_DISK_SIZE_GB });
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
  const lifecycle = { min: CREATE.auto_stop.minimum, max: MAX_LIFECYCLE_SECONDS };
  const autoStop = optInteger(c, b, 'auto_stop', where, lifecycle);
  const autoPause = optInteger(c, b, 'auto_pause', where, lifecycle);
  if (autoStop !== undefined && autoPause !== undefined && autoStop !== autoPause) {
    c.fail('auto_stop and auto_pause name the same setting; they disagree');
  }
  const autoDelete = optInteger(c, b, 'auto_delete', where, { min: CREATE.auto_delete.minimum, max: MAX_LIFECYCLE_SECONDS });
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
