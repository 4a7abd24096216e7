"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_IMAGE = void 0;
exports.envMap = envMap;
exports.parseNetwork = parseNetwork;
exports.parseCreateBoxRequest = parseCreateBoxRequest;
const errors_1 = require("../errors");
const validate_1 = require("./validate");
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
exports.DEFAULT_IMAGE = 'alpine:latest';
function unsupported(message) {
    return new errors_1.UnsupportedError(`unsupported: ${message}`);
}
function envMap(obj, key, where) {
    const env = (0, validate_1.optStringMap)(obj, key, where);
    if (env) {
        for (const name of Object.keys(env)) {
            if (name.includes('='))
                throw (0, validate_1.invalid)(`${key}: variable name ${JSON.stringify(name)} must not contain '='`);
        }
    }
    return env;
}
function parseMode(obj, where) {
    const mode = (0, validate_1.optString)(obj, 'mode', where);
    if (mode === undefined)
        return undefined;
    if (mode !== 'enabled' && mode !== 'disabled')
        throw (0, validate_1.invalid)(`${where}.mode must be "enabled" or "disabled", got ${JSON.stringify(mode)}`);
    return mode;
}
/** Both shapes: flat `{mode, allow_net}` (spec, deprecated) and `{outbound, inbound}` (client 0.10.0). */
function parseNetwork(value) {
    const net = (0, validate_1.expectObject)(value, 'network');
    (0, validate_1.rejectUnknownFields)(net, NETWORK_FIELDS, 'network');
    const flat = net.mode !== undefined || net.allow_net !== undefined;
    const nested = net.outbound !== undefined || net.inbound !== undefined;
    if (flat && nested)
        throw (0, validate_1.invalid)('network: use either {mode, allow_net} or {outbound, inbound}, not both');
    let mode;
    let allowNet;
    if (nested) {
        if (net.outbound !== undefined && net.outbound !== null) {
            const out = (0, validate_1.expectObject)(net.outbound, 'network.outbound');
            (0, validate_1.rejectUnknownFields)(out, DIRECTION_FIELDS, 'network.outbound');
            mode = parseMode(out, 'network.outbound');
            if (mode === undefined)
                throw (0, validate_1.invalid)('network.outbound.mode is required');
            allowNet = (0, validate_1.optStringArray)(out, 'allow_net', 'network.outbound');
        }
        if (net.inbound !== undefined && net.inbound !== null) {
            const inb = (0, validate_1.expectObject)(net.inbound, 'network.inbound');
            (0, validate_1.rejectUnknownFields)(inb, DIRECTION_FIELDS, 'network.inbound');
            if (parseMode(inb, 'network.inbound') === undefined)
                throw (0, validate_1.invalid)('network.inbound.mode is required');
            const inboundAllow = (0, validate_1.optStringArray)(inb, 'allow_net', 'network.inbound');
            if (inboundAllow && inboundAllow.length > 0)
                throw (0, validate_1.invalid)('network.inbound.allow_net is not supported; omit it or send []');
            // Inbound exposure is a remote-proxy feature; a local runtime publishes
            // nothing, so either mode leaves the box private. Accepted, no effect.
        }
    }
    else {
        mode = parseMode(net, 'network');
        allowNet = (0, validate_1.optStringArray)(net, 'allow_net', 'network');
        if (mode === undefined && allowNet !== undefined)
            mode = 'enabled';
    }
    if (mode === 'disabled' && allowNet && allowNet.length > 0) {
        throw (0, validate_1.invalid)('network.allow_net is incompatible with mode "disabled"');
    }
    const spec = {};
    if (mode !== undefined)
        spec.mode = mode;
    if (allowNet !== undefined)
        spec.allowNet = allowNet;
    return spec;
}
function parseVolumes(list) {
    list.forEach((item, i) => {
        const where = `volumes[${i}]`;
        const v = (0, validate_1.expectObject)(item, where);
        (0, validate_1.rejectUnknownFields)(v, VOLUME_FIELDS, where);
        (0, validate_1.optString)(v, 'managed_volume', where, { nonEmpty: true });
        (0, validate_1.optString)(v, 'guest_path', where);
        (0, validate_1.optBoolean)(v, 'read_only', where);
        if (v.managed_volume === undefined || v.guest_path === undefined)
            throw (0, validate_1.invalid)(`${where} needs managed_volume and guest_path`);
    });
    if (list.length > 0)
        throw unsupported('named volumes are not supported by this server (local runtime)');
}
function parseSecrets(list) {
    list.forEach((item, i) => {
        const where = `secrets[${i}]`;
        const s = (0, validate_1.expectObject)(item, where);
        (0, validate_1.rejectUnknownFields)(s, SECRET_FIELDS, where);
        if ((0, validate_1.optString)(s, 'name', where, { nonEmpty: true }) === undefined)
            throw (0, validate_1.invalid)(`${where}.name is required`);
        if ((0, validate_1.optString)(s, 'value', where) === undefined)
            throw (0, validate_1.invalid)(`${where}.value is required`);
        (0, validate_1.optStringArray)(s, 'hosts', where);
        (0, validate_1.optString)(s, 'placeholder', where);
    });
    // The value would be named in no error message: never echo secrets.
    if (list.length > 0)
        throw unsupported('secret substitution is not supported by this server (local runtime)');
}
function parseAdvanced(value) {
    const adv = (0, validate_1.expectObject)(value, 'advanced');
    (0, validate_1.rejectUnknownFields)(adv, ADVANCED_FIELDS, 'advanced');
    if (adv.capabilities === undefined || adv.capabilities === null)
        return;
    const caps = (0, validate_1.expectObject)(adv.capabilities, 'advanced.capabilities');
    (0, validate_1.rejectUnknownFields)(caps, CAPABILITY_FIELDS, 'advanced.capabilities');
    const add = (0, validate_1.optStringArray)(caps, 'add', 'advanced.capabilities') ?? [];
    const drop = (0, validate_1.optStringArray)(caps, 'drop', 'advanced.capabilities') ?? [];
    if (add.length > 0 || drop.length > 0) {
        throw unsupported('Linux capability policy is not supported by this server (GET /v1/config: linux_capabilities_enabled=false)');
    }
}
function parseCreateBoxRequest(body) {
    const b = (0, validate_1.expectObject)(body === undefined ? {} : body, 'request body');
    (0, validate_1.rejectUnknownFields)(b, CREATE_FIELDS, 'request body');
    const where = 'request body';
    const options = {};
    const name = (0, validate_1.optString)(b, 'name', where, { maxLength: 128 });
    if (name !== undefined) {
        if (!NAME_PATTERN.test(name))
            throw (0, validate_1.invalid)(`name must match ${NAME_PATTERN.source}, got ${JSON.stringify(name)}`);
        options.name = name;
    }
    const image = (0, validate_1.optString)(b, 'image', where, { nonEmpty: true });
    const rootfs = (0, validate_1.optString)(b, 'rootfs_path', where, { nonEmpty: true });
    if (image !== undefined && rootfs !== undefined)
        throw (0, validate_1.invalid)('image and rootfs_path are mutually exclusive');
    if (rootfs !== undefined)
        options.rootfsPath = rootfs;
    else
        options.image = image ?? exports.DEFAULT_IMAGE;
    const cpus = (0, validate_1.optInteger)(b, 'cpus', where, { min: 1, max: 255 });
    if (cpus !== undefined)
        options.cpus = cpus;
    const memory = (0, validate_1.optInteger)(b, 'memory_mib', where, { min: 1, max: 0x7fffffff });
    if (memory !== undefined)
        options.memoryMib = memory;
    const disk = (0, validate_1.optInteger)(b, 'disk_size_gb', where, { min: 1, max: 0x7fffffff });
    if (disk !== undefined)
        options.diskSizeGb = disk;
    const workdir = (0, validate_1.optString)(b, 'working_dir', where);
    if (workdir !== undefined)
        options.workdir = workdir;
    const env = envMap(b, 'env', where);
    if (env !== undefined)
        options.env = env;
    if (b.network !== undefined && b.network !== null)
        options.network = parseNetwork(b.network);
    const entrypoint = (0, validate_1.optStringArray)(b, 'entrypoint', where);
    if (entrypoint !== undefined)
        options.entrypoint = entrypoint;
    const cmd = (0, validate_1.optStringArray)(b, 'cmd', where);
    if (cmd !== undefined)
        options.cmd = cmd;
    const user = (0, validate_1.optString)(b, 'user', where, { nonEmpty: true });
    const secrets = (0, validate_1.optArray)(b, 'secrets', where);
    if (secrets)
        parseSecrets(secrets);
    const volumes = (0, validate_1.optArray)(b, 'volumes', where);
    if (volumes)
        parseVolumes(volumes);
    if (b.advanced !== undefined && b.advanced !== null)
        parseAdvanced(b.advanced);
    const detach = (0, validate_1.optBoolean)(b, 'detach', where);
    if (detach !== undefined)
        options.detach = detach;
    if ((0, validate_1.optBoolean)(b, 'tty', where) === true)
        throw unsupported('a tty for the box main command is not supported; use tty on exec');
    // Lifecycle: the spec's and the client's names for one setting.
    const autoStop = (0, validate_1.optInteger)(b, 'auto_stop', where, { min: 0, max: 0xffffffff });
    const autoPause = (0, validate_1.optInteger)(b, 'auto_pause', where, { min: 0, max: 0xffffffff });
    if (autoStop !== undefined && autoPause !== undefined && autoStop !== autoPause) {
        throw (0, validate_1.invalid)('auto_stop and auto_pause name the same setting; they disagree');
    }
    if ((autoStop ?? autoPause ?? 0) > 0)
        throw unsupported('AutoStop is only supported by REST runtimes; send auto_stop: 0 or omit it');
    if (((0, validate_1.optInteger)(b, 'auto_delete', where, { min: 0, max: 0xffffffff }) ?? 0) > 0) {
        throw unsupported('AutoDelete with a delay is not supported by this server; send auto_delete: 0 or omit it');
    }
    // auto_resume only matters after an AutoStop, which never happens here.
    (0, validate_1.optBoolean)(b, 'auto_resume', where);
    // A REST box outlives its stop (the spec's `stopped` state can be
    // restarted); libboxlite's local default would remove it on stop.
    options.autoRemove = false;
    const result = { options };
    if (user !== undefined)
        result.user = user;
    return result;
}
//# sourceMappingURL=box-request.js.map