// Request bodies against BoxLite's OpenAPI bounds, over real HTTP on
// 127.0.0.1: every minimum/maximum, length, pattern, enum, required field and
// closed object of the request schemas (lib/http/protocol/request-schemas.ts,
// which test/request-schemas-document.test.ts holds to the document) is tried
// at the bound, just inside and just outside it. A violation is 400
// InvalidArgumentError/invalid_argument naming the field and the bound, and
// never reaches the runtime. The official client still creates boxes with its
// defaults.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_SCHEMAS } from '../lib/http/protocol/request-schemas';
import type { Runtime } from '../lib/runtime/runtime-types';
import { type TestRuntime, openTestRuntime } from '../lib/testing';
import { type Answer, type Served, attach, attachUrl, createBox, expectEnvelope, postJson, request, serve, startExec, until } from './http-support';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;
type SchemaName = keyof typeof REQUEST_SCHEMAS;

let t: TestRuntime;
let s: Served;
/** Runtime calls made by the handler: a refused body must not add any. */
let runtimeCalls = 0;
let box: string;

beforeAll(async () => {
  t = await openTestRuntime();
  const counted = new Proxy(t.runtime, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => { runtimeCalls++; return (v as (...a: unknown[]) => unknown).apply(target, args); };
    },
  }) as Runtime;
  s = await serve({ t, runtime: counted });
  box = await createBox(s.origin);
});
afterAll(async () => {
  await s.close();
  await t.close();
});

const boxesUrl = () => `${s.origin}/v1/boxes`;
const execUrl = () => `${s.origin}/v1/boxes/${box}/exec`;

/** Posts `body`; expects 400 invalid_argument saying exactly `message`, with no runtime call. */
async function refused(url: string, body: unknown, message: string): Promise<void> {
  const before = runtimeCalls;
  const a = await postJson(url, body);
  const err = expectEnvelope(a, 400, 'invalid_argument');
  expect(err.type).toBe('InvalidArgumentError');
  expect(err.message, JSON.stringify(body)).toBe(`invalid argument: ${message}`);
  expect(runtimeCalls, `${JSON.stringify(body)} reached the runtime`).toBe(before);
}

/**
 * Not refused as invalid: created (then removed), a well-formed setting this
 * local server cannot honour, or a name the engine holds taken. The engine
 * (as libboxlite) takes a name equal to a box's name, id or unique id prefix:
 * `a` is taken whenever a box id here starts with "a" (random, 1 in 62 per
 * box). That answer comes from the engine, so the body passed validation.
 */
function validAnswer(a: Answer): boolean {
  if (a.status === 201) return true;
  const err = a.status === 400 ? a.json?.error : undefined;
  return err?.code === 'unsupported' || (err?.boxlite_code === 5 && /^invalid argument: box with name '.*' already exists$/.test(err.message));
}

async function removeIfCreated(a: Answer): Promise<void> {
  if (a.status !== 201) return;
  const gone = await request(`${boxesUrl()}/${a.json.box_id}?force=true`, { method: 'DELETE' });
  expect(gone.status).toBe(204);
}

async function accepted(body: Json): Promise<Answer> {
  const a = await postJson(boxesUrl(), body);
  expect(validAnswer(a), `${JSON.stringify(body)}: ${a.status} ${a.text}`).toBe(true);
  await removeIfCreated(a);
  return a;
}

/** Is `body` refused as invalid (true) or not (false)? Anything else (a 500, a 4xx of another kind) fails the test. */
async function isRefused(body: Json): Promise<boolean> {
  const a = await postJson(boxesUrl(), body);
  await removeIfCreated(a);
  if (validAnswer(a)) return false;
  expectEnvelope(a, 400, 'invalid_argument');
  return true;
}

/** The (field, bounds) of every integer property of CreateBoxRequest with a bound. */
function integerBounds(): Array<{ field: string; minimum?: number; maximum?: number }> {
  return Object.entries<Json>(REQUEST_SCHEMAS.CreateBoxRequest.properties)
    .filter(([, p]) => p.type === 'integer' && (p.minimum !== undefined || p.maximum !== undefined))
    .map(([field, p]) => ({ field, minimum: p.minimum, maximum: p.maximum }));
}

/** The next double above (+1) or below (-1) a positive `x`. */
function adjacent(x: number, direction: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(direction));
  return view.getFloat64(0);
}

describe('create: the numbers the document bounds', () => {
  it('are the document\'s: cpus 1..32, memory_mib >= 128, disk_size_gb >= 1, auto_stop and auto_delete >= 0', () => {
    // Pinned here too, so a change of the table shows in this suite's diff.
    expect(integerBounds()).toEqual([
      { field: 'cpus', minimum: 1, maximum: 32 },
      { field: 'memory_mib', minimum: 128, maximum: undefined },
      { field: 'disk_size_gb', minimum: 1, maximum: undefined },
      { field: 'auto_stop', minimum: 0, maximum: undefined },
      { field: 'auto_delete', minimum: 0, maximum: undefined },
    ]);
  });

  for (const { field, minimum, maximum } of integerBounds()) {
    it(`${field}: at, just inside and just outside ${minimum ?? ''}..${maximum ?? ''}`, async () => {
      if (minimum !== undefined) {
        await accepted({ [field]: minimum });
        await accepted({ [field]: minimum + 1 });
        await refused(boxesUrl(), { [field]: minimum - 1 }, `${field} must be >= ${minimum}`);
      }
      if (maximum !== undefined) {
        await accepted({ [field]: maximum });
        await accepted({ [field]: maximum - 1 });
        await refused(boxesUrl(), { [field]: maximum + 1 }, `${field} must be <= ${maximum}`);
      }
      await refused(boxesUrl(), { [field]: (minimum ?? 0) + 1.5 }, `${field} must be an integer, got ${(minimum ?? 0) + 1.5}`);
    });
  }

  it('a box made at the bounds carries them', async () => {
    const before = runtimeCalls;
    const a = await postJson(boxesUrl(), { cpus: 32, memory_mib: 128 });
    expect(a.status, a.text).toBe(201);
    expect(runtimeCalls, 'the runtime counter counts').toBeGreaterThan(before);
    expect([a.json.cpus, a.json.memory_mib]).toEqual([32, 128]);
    await removeIfCreated(a);
  });

  it('cpus: any integer is taken exactly when 1 <= cpus <= 32 (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: -40, max: 300 }), async (cpus) => {
      expect(await isRefused({ cpus })).toBe(cpus < 1 || cpus > 32);
    }), { numRuns: 25 });
  });

  it('memory_mib: any integer is taken exactly when it is at least 128 (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: -1000, max: 1 << 20 }), async (memory) => {
      expect(await isRefused({ memory_mib: memory })).toBe(memory < 128);
    }), { numRuns: 25 });
  });
});

describe('create: name (minLength 1, maxLength 128, the document\'s pattern)', () => {
  const { minLength, maxLength, pattern } = REQUEST_SCHEMAS.CreateBoxRequest.properties.name;

  it('at, inside and outside each bound', async () => {
    expect([minLength, maxLength, pattern]).toEqual([1, 128, '^[a-zA-Z0-9][a-zA-Z0-9._-]*$']);
    await accepted({ name: 'a' });
    await accepted({ name: `A${'b'.repeat(126)}` });
    await accepted({ name: `Z${'9'.repeat(127)}` });
    await accepted({ name: '0a.b_c-d' });
    await refused(boxesUrl(), { name: '' }, 'name must not be empty');
    await refused(boxesUrl(), { name: `a${'b'.repeat(128)}` }, 'name must be at most 128 characters');
    for (const name of ['-a', '.a', '_a', 'a b', 'a/b', 'é']) {
      await refused(boxesUrl(), { name }, `name must match ${pattern}, got ${JSON.stringify(name)}`);
    }
  });

  it('any name is taken exactly when the document\'s schema allows it (property)', async () => {
    const re = new RegExp(pattern, 'u');
    const unit = fc.constantFrom('a', 'Z', '7', '.', '_', '-', ' ', '/', 'é', ':');
    const names = fc.oneof(
      fc.string({ unit, minLength: 0, maxLength: 4 }),
      fc.string({ unit, minLength: 126, maxLength: 130 }),
    );
    await fc.assert(fc.asyncProperty(names, async (name) => {
      const allowed = name.length >= minLength && name.length <= maxLength && re.test(name);
      expect(await isRefused({ name })).toBe(!allowed);
    }), { numRuns: 30 });
  });
});

describe('create: enums', () => {
  const modes = REQUEST_SCHEMAS.OutboundNetworkSpec.properties.mode.enum;
  const places: Array<[string, (mode: unknown) => Json]> = [
    ['network', (mode) => ({ network: { mode } })],
    ['network.outbound', (mode) => ({ network: { outbound: { mode } } })],
    ['network.inbound', (mode) => ({ network: { inbound: { mode } } })],
  ];

  for (const [where, body] of places) {
    it(`${where}.mode: each of the document's values, and nothing else`, async () => {
      for (const mode of modes) await accepted(body(mode));
      for (const mode of ['Enabled', 'on', '']) {
        await refused(boxesUrl(), body(mode), `${where}.mode must be one of "enabled", "disabled", got ${JSON.stringify(mode)}`);
      }
      await fc.assert(fc.asyncProperty(fc.string({ maxLength: 10 }), async (mode) => {
        expect(await isRefused(body(mode))).toBe(!(modes as readonly string[]).includes(mode));
      }), { numRuns: 15 });
    });
  }

  it('volumes[].read_only: false only (the document refuses true rather than mount read-write)', async () => {
    expect(REQUEST_SCHEMAS.VolumeSpec.properties.read_only.enum).toEqual([false]);
    const volume = (readOnly: unknown) => ({ volumes: [{ managed_volume: 'v', guest_path: '/data', read_only: readOnly }] });
    await refused(boxesUrl(), volume(true),
      'volumes[0].read_only must be false: read-only managed volumes are not implemented (BoxLite\'s document refuses true rather than mounting read-write)');
    // Well-formed: refused only because a local runtime has no managed volumes.
    expectEnvelope(await postJson(boxesUrl(), volume(false)), 400, 'unsupported');
  });
});

describe('required fields and closed objects', () => {
  it('every required field of the request schemas is required', async () => {
    const exec = await startExec(s.origin, box, { command: 'sleep', args: ['5'] });
    const execution = `${s.origin}/v1/boxes/${box}/executions/${exec}`;
    const cases: Array<[SchemaName, string, string, Json, string]> = [
      ['VolumeSpec', 'managed_volume', boxesUrl(), { volumes: [{ guest_path: '/d' }] }, 'volumes[0] needs managed_volume and guest_path'],
      ['VolumeSpec', 'guest_path', boxesUrl(), { volumes: [{ managed_volume: 'v' }] }, 'volumes[0] needs managed_volume and guest_path'],
      ['OutboundNetworkSpec', 'mode', boxesUrl(), { network: { outbound: { allow_net: [] } } }, 'network.outbound.mode is required'],
      ['InboundNetworkSpec', 'mode', boxesUrl(), { network: { inbound: {} } }, 'network.inbound.mode is required'],
      ['SecretSpec', 'name', boxesUrl(), { secrets: [{ value: 'x' }] }, 'secrets[0].name is required'],
      ['SecretSpec', 'value', boxesUrl(), { secrets: [{ name: 'x' }] }, 'secrets[0].value is required and must be a string'],
      ['ExecRequest', 'command', execUrl(), { args: ['a'] }, 'command is required'],
      ['SignalRequest', 'signal', `${execution}/signal`, {}, 'signal is required'],
      ['ResizeRequest', 'cols', `${execution}/resize`, { rows: 5 }, 'cols and rows are required'],
      ['ResizeRequest', 'rows', `${execution}/resize`, { cols: 5 }, 'cols and rows are required'],
    ];
    // Every (schema, required field) pair of the table is tried, and no other.
    const inTable = Object.entries<Json>(REQUEST_SCHEMAS).flatMap(([name, sch]) => (sch.required ?? []).map((f: string) => `${name}.${f}`));
    expect(cases.map(([name, f]) => `${name}.${f}`).sort()).toEqual(inTable.sort());
    for (const [, , url, body, message] of cases) await refused(url, body, message);
    expect((await request(execution, { method: 'DELETE' })).status).toBeLessThan(300);
  });

  it('every schema with additionalProperties: false refuses an unknown field, nested ones included', async () => {
    const known = (name: SchemaName) => Object.keys(REQUEST_SCHEMAS[name].properties).join(', ');
    const cases: Array<[SchemaName, Json, string]> = [
      ['CreateBoxRequest', { isolation: 'none' }, `unknown field "isolation" in request body; known fields: ${known('CreateBoxRequest')}, auto_pause`],
      ['CreateBoxAdvancedOptions', { advanced: { privileged: true } }, `unknown field "privileged" in advanced; known fields: ${known('CreateBoxAdvancedOptions')}`],
      ['CreateContainerCapabilities', { advanced: { capabilities: { keep: [] } } }, `unknown field "keep" in advanced.capabilities; known fields: ${known('CreateContainerCapabilities')}`],
      ['VolumeSpec', { volumes: [{ managed_volume: 'v', guest_path: '/d', host_path: '/' }] }, `unknown field "host_path" in volumes[0]; known fields: ${known('VolumeSpec')}`],
      ['NetworkSpec', { network: { ports: [] } }, `unknown field "ports" in network; known fields: ${known('NetworkSpec')}`],
      ['OutboundNetworkSpec', { network: { outbound: { mode: 'enabled', deny_net: [] } } }, `unknown field "deny_net" in network.outbound; known fields: ${known('OutboundNetworkSpec')}`],
      ['InboundNetworkSpec', { network: { inbound: { mode: 'enabled', ports: [] } } }, `unknown field "ports" in network.inbound; known fields: ${known('InboundNetworkSpec')}`],
    ];
    const closed = Object.entries<Json>(REQUEST_SCHEMAS).filter(([, sch]) => sch.additionalProperties === false).map(([name]) => name);
    expect(cases.map(([name]) => name).sort()).toEqual(closed.sort());
    for (const [, body, message] of cases) await refused(boxesUrl(), body, message);
  });

  it('auto_pause, the earlier wire name of auto_stop, is still taken (BoxLite servers read it)', async () => {
    await accepted({ auto_pause: 0 });
    await refused(boxesUrl(), { auto_pause: -1 }, 'auto_pause must be >= 0');
  });
});

describe('every property of every request schema is read', () => {
  // A value of the wrong type for each property must be refused naming it: a
  // property the table lists but a parser ignored would pass unnoticed.
  function wrongValue(p: Json): unknown {
    return p.type === 'object' || p.$ref !== undefined ? 7 : { not: 'this' };
  }

  it('create, exec, stop, signal and resize', async () => {
    const exec = await startExec(s.origin, box, { command: 'sleep', args: ['5'], tty: true });
    const execution = `${s.origin}/v1/boxes/${box}/executions/${exec}`;
    const bodies: Array<[SchemaName, string, Json]> = [
      ['CreateBoxRequest', boxesUrl(), {}],
      ['ExecRequest', execUrl(), { command: 'true' }],
      ['StopBoxRequest', `${s.origin}/v1/boxes/${box}/stop`, {}],
      ['SignalRequest', `${execution}/signal`, {}],
      ['ResizeRequest', `${execution}/resize`, { cols: 1, rows: 1 }],
    ];
    for (const [name, url, base] of bodies) {
      for (const [field, p] of Object.entries<Json>(REQUEST_SCHEMAS[name].properties)) {
        const before = runtimeCalls;
        const err = expectEnvelope(await postJson(url, { ...base, [field]: wrongValue(p) }), 400, 'invalid_argument');
        expect(err.message, `${name}.${field}`).toMatch(new RegExp(`^invalid argument: ${field}\\b.* must be `));
        expect(runtimeCalls).toBe(before);
      }
    }
    expect((await request(execution, { method: 'DELETE' })).status).toBeLessThan(300);
  });
});

describe('exec, stop and resize bounds', () => {
  it('exec timeout_seconds: at, just above and just below the document\'s 0.1', async () => {
    const min = REQUEST_SCHEMAS.ExecRequest.properties.timeout_seconds.minimum;
    expect(min).toBe(0.1);
    for (const timeout of [min, adjacent(min, 1), 5]) {
      expect((await postJson(execUrl(), { command: 'true', timeout_seconds: timeout })).status).toBe(201);
    }
    for (const timeout of [adjacent(min, -1), Number.MIN_VALUE, -0.05, -1]) {
      await refused(execUrl(), { command: 'true', timeout_seconds: timeout }, `timeout_seconds must be >= ${min}`);
    }
  });

  it('exec timeout_seconds: 0 means no timeout (what the official client sends for none, and BoxLite\'s server runs)', async () => {
    const created = await postJson(execUrl(), { command: 'sh', args: ['-c', 'sleep 0.3; echo done'], timeout_seconds: 0 });
    expect(created.status).toBe(201);
    const id = (created.json as { execution_id: string }).execution_id;
    let status: { status: string; exit_code: number | null } | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      status = (await request(`${s.origin}/v1/boxes/${box}/executions/${id}`)).json as typeof status;
      if (status?.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toMatchObject({ status: 'completed', exit_code: 0 });
  });

  it('stop timeout_seconds: 0 and above, nothing below', async () => {
    expect(REQUEST_SCHEMAS.StopBoxRequest.properties.timeout_seconds.minimum).toBe(0);
    const stop = `${s.origin}/v1/boxes/${box}/stop`;
    await refused(stop, { timeout_seconds: -Number.MIN_VALUE }, 'timeout_seconds must be >= 0');
    await refused(stop, { timeout_seconds: -1 }, 'timeout_seconds must be >= 0');
    for (const timeout of [0, Number.MIN_VALUE, 1]) expect((await postJson(stop, { timeout_seconds: timeout })).status).toBe(200);
    expect((await request(`${s.origin}/v1/boxes/${box}/start`, { method: 'POST' })).status).toBe(200);
  });

  it('resize cols and rows: 1 and above, over HTTP and as a WebSocket frame', async () => {
    expect(REQUEST_SCHEMAS.ResizeRequest.properties.cols.minimum).toBe(1);
    expect(REQUEST_SCHEMAS.ResizeRequest.properties.rows.minimum).toBe(1);
    const exec = await startExec(s.origin, box, { command: 'sleep', args: ['5'], tty: true });
    const execution = `${s.origin}/v1/boxes/${box}/executions/${exec}`;
    await refused(`${execution}/resize`, { cols: 0, rows: 1 }, 'cols must be >= 1');
    await refused(`${execution}/resize`, { cols: 1, rows: 0 }, 'rows must be >= 1');
    expect((await postJson(`${execution}/resize`, { cols: 1, rows: 1 })).status).toBe(204);
    expect((await postJson(`${execution}/resize`, { cols: 2, rows: 2 })).status).toBe(204);
    const at = await attach(attachUrl(s.origin, box, exec));
    at.ws.send(JSON.stringify({ type: 'resize', cols: 0, rows: 5 }));
    await until(() => at.control.length >= 1, 5000, 'an error frame');
    expect(at.control[0]).toMatchObject({ type: 'error' });
    expect(JSON.stringify(at.control[0])).toContain('cols must be >= 1');
    expect((await request(execution, { method: 'DELETE' })).status).toBeLessThan(300);
    await at.closed;
  });
});

describe('the official client (@boxlite-ai/boxlite 0.10.0)', () => {
  let sdk: Json;
  beforeAll(async () => { sdk = await import('@boxlite-ai/boxlite'); });
  const client = () => sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: s.origin }));

  it('creates boxes with its defaults, and at the bounds', async () => {
    const rt = client();
    for (const options of [{}, { image: 'alpine:latest' }, { cpus: 32, memoryMib: 128, diskSizeGb: 1 }, { cpus: 1, memoryMib: 4096 }]) {
      const made = await rt.create(options);
      const info = await rt.getInfo(made.id);
      expect(info.id).toBe(made.id);
      if ('cpus' in options) expect([info.cpus, info.memoryMib]).toEqual([options.cpus, options.memoryMib]);
      await rt.remove(made.id, true);
    }
  });

  it('is told which bound it crossed', async () => {
    const rt = client();
    const before = runtimeCalls;
    await expect(rt.create({ cpus: 33 })).rejects.toThrow(/cpus must be <= 32/);
    await expect(rt.create({ memoryMib: 127 })).rejects.toThrow(/memory_mib must be >= 128/);
    expect(runtimeCalls).toBe(before);
  });
});
