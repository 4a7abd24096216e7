// @ts-nocheck
// Box routes, discovery, validation and the error envelope over real HTTP,
// against the real runtime on the test engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, postJson, request, serve } from './http-support';

let s: Served;
beforeAll(async () => { s = await serve(); });
afterAll(async () => { await s.close(); });

describe('discovery', () => {
  it('GET /v1/config reports what is supported, honestly', async () => {
    const a = await request(`${s.origin}/v1/config`);
    expect(a.status).toBe(200);
    expect(a.json.capabilities).toMatchObject({
      snapshots_enabled: false, clone_enabled: false, export_enabled: false, import_enabled: false,
      linux_capabilities_enabled: false, tty_enabled: true, streaming_enabled: true,
    });
  });

  it('GET /v1/me describes the caller', async () => {
    const a = await request(`${s.origin}/v1/me`);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ sub: 'anonymous', principal_type: 'service_account', path_prefix: null });
    expect(a.json.scopes).toContain('box:exec');
  });
});

describe('boxes', () => {
  it('creates (both network shapes, both lifecycle names), gets, lists, heads and removes', async () => {
    const created = await postJson(`${s.origin}/v1/boxes`, {
      name: 'routes-one', image: 'alpine:latest',
      network: { outbound: { mode: 'enabled' }, inbound: { mode: 'enabled' } }, detach: false, auto_stop: 0,
    });
    expect(created.status).toBe(201);
    const box = created.json;
    expect(created.headers.location).toBe(`/v1/boxes/${box.box_id}`);
    expect(box).toMatchObject({ name: 'routes-one', image: 'alpine:latest', labels: {} });
    for (const key of ['box_id', 'status', 'created_at', 'updated_at']) expect(typeof box[key]).toBe('string');
    expect(Number.isNaN(Date.parse(box.created_at))).toBe(false);
    expect(typeof box.cpus).toBe('number');
    expect(typeof box.memory_mib).toBe('number');
    expect(typeof box.auto_stop).toBe('number');
    expect(typeof box.auto_resume).toBe('boolean');

    const flat = await postJson(`${s.origin}/v1/boxes`, { network: { mode: 'enabled', allow_net: ['example.com'] }, auto_pause: 0 });
    expect(flat.status).toBe(201);

    const byName = await request(`${s.origin}/v1/boxes/routes-one`);
    expect(byName.status).toBe(200);
    expect(byName.json.box_id).toBe(box.box_id);

    const list = await request(`${s.origin}/v1/boxes`);
    expect(list.status).toBe(200);
    expect(list.json.boxes.map((b: { box_id: string }) => b.box_id)).toEqual(expect.arrayContaining([box.box_id, flat.json.box_id]));

    expect((await request(`${s.origin}/v1/boxes/${box.box_id}`, { method: 'HEAD' })).status).toBe(204);
    expect((await request(`${s.origin}/v1/boxes/${box.box_id}?force=true`, { method: 'DELETE' })).status).toBe(204);
    const head = await request(`${s.origin}/v1/boxes/${box.box_id}`, { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect(head.text).toBe('');
    expectEnvelope(await request(`${s.origin}/v1/boxes/${box.box_id}`), 404, 'not_found');
    await request(`${s.origin}/v1/boxes/${flat.json.box_id}?force=true`, { method: 'DELETE' });
  });

  it('start and stop answer a Box body, and the box survives its stop', async () => {
    const id = await createBox(s.origin);
    const started = await request(`${s.origin}/v1/boxes/${id}/start`, { method: 'POST' });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ box_id: id, status: 'running' });
    const stopped = await request(`${s.origin}/v1/boxes/${id}/stop`, { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({ box_id: id, status: 'stopped' });
    expect(Date.parse(stopped.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(stopped.json.created_at));
    const again = await request(`${s.origin}/v1/boxes/${id}/start`, { method: 'POST' });
    expect(again.json.status).toBe('running');
    await request(`${s.origin}/v1/boxes/${id}?force=true`, { method: 'DELETE' });
  });

  it('a duplicate name is 409 already_exists', async () => {
    await createBox(s.origin, { name: 'routes-dup' });
    expectEnvelope(await postJson(`${s.origin}/v1/boxes`, { name: 'routes-dup' }), 409, 'already_exists');
    await request(`${s.origin}/v1/boxes/routes-dup?force=true`, { method: 'DELETE' });
  });

  it('metrics: runtime-wide and per box', async () => {
    const id = await createBox(s.origin);
    const rt = await request(`${s.origin}/v1/metrics`);
    expect(rt.status).toBe(200);
    expect(rt.json.boxes_created_total).toBeGreaterThanOrEqual(1);
    const bm = await request(`${s.origin}/v1/boxes/${id}/metrics`);
    expect(bm.status).toBe(200);
    expect(bm.json).toHaveProperty('commands_executed_total');
    expect(bm.json).toHaveProperty('boot_timing');
    expectEnvelope(await request(`${s.origin}/v1/boxes/no-such-box/metrics`), 404, 'not_found');
  });
});

describe('request validation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['unknown field', { image: 'alpine:latest', imagee: 'x' }, 'imagee'],
    ['wrong type', { cpus: 'two' }, 'cpus'],
    ['non-integer', { memory_mib: 1.5 }, 'memory_mib'],
    ['bad env', { env: { A: 1 } }, 'env.A'],
    ['mixed network shapes', { network: { mode: 'enabled', outbound: { mode: 'enabled' } } }, 'network'],
    ['unknown network field', { network: { outbound: { mode: 'enabled', extra: 1 } } }, 'extra'],
    ['bad network mode', { network: { mode: 'on' } }, 'mode'],
    ['bad name', { name: 'has space' }, 'name'],
    ['image and rootfs', { image: 'a', rootfs_path: '/r' }, 'mutually exclusive'],
    ['array body', [1, 2], 'JSON object'],
  ];
  for (const [what, body, mention] of cases) {
    it(`create: ${what} -> 400 invalid_argument`, async () => {
      const err = expectEnvelope(await postJson(`${s.origin}/v1/boxes`, body), 400, 'invalid_argument');
      expect(err.message).toContain(mention);
      expect(err.type).toBe('InvalidArgumentError');
    });
  }

  it('features a local runtime cannot honour are 400 unsupported, not silently dropped', async () => {
    const bodies = [
      { volumes: [{ managed_volume: 'v1', guest_path: '/data', read_only: false }] },
      { secrets: [{ name: 'k', value: 'hunter2', hosts: [], placeholder: '<BOXLITE_SECRET:k>' }] },
      { advanced: { capabilities: { add: ['SYS_ADMIN'], drop: [] } } },
      { auto_stop: 900 },
      { auto_delete: 60 },
    ];
    for (const body of bodies) {
      const err = expectEnvelope(await postJson(`${s.origin}/v1/boxes`, body), 400, 'unsupported');
      expect(err.message).not.toContain('hunter2');
    }
  });

  it('malformed JSON -> 400 with the parser reason', async () => {
    const a = await request(`${s.origin}/v1/boxes`, { method: 'POST', body: '{"image": ' });
    expect(expectEnvelope(a, 400, 'invalid_argument').message).toContain('not valid JSON');
  });

  it('an oversized body -> 413 with the envelope (Content-Length and chunked)', async () => {
    const big = JSON.stringify({ image: 'x'.repeat(2 << 20) });
    expectEnvelope(await request(`${s.origin}/v1/boxes`, { method: 'POST', body: big }), 413, 'invalid_argument');
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = (require('node:http') as typeof import('node:http')).request(`${s.origin}/v1/boxes`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false,
      }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 40; i++) req.write('x'.repeat(64 << 10));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('invalid_argument');
  });

  it('ids over 128 characters -> 400; unknown routes -> 404; wrong methods -> 405 with Allow', async () => {
    const err = expectEnvelope(await request(`${s.origin}/v1/boxes/${'a'.repeat(129)}`), 400, 'invalid_argument');
    expect(err.message).toContain('128');
    expectEnvelope(await request(`${s.origin}/v1/boxes/x/executions/${'e'.repeat(200)}`), 400, 'invalid_argument');
    expectEnvelope(await request(`${s.origin}/v1/nothing-here`), 404, 'not_found');
    expectEnvelope(await request(`${s.origin}/v1/boxes/x/unknown-verb`, { method: 'POST' }), 404, 'not_found');
    expectEnvelope(await request(`${s.origin}/elsewhere`), 404, 'not_found');
    const patch = await request(`${s.origin}/v1/boxes/x`, { method: 'PATCH', body: '{}' });
    expect(patch.status).toBe(405);
    expect(patch.headers.allow).toBe('GET, HEAD, DELETE');
    expect(patch.json.error.request_id).toBe(patch.headers['x-request-id']);
    const put = await request(`${s.origin}/v1/boxes`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toContain('POST');
  });

  it('bad percent-encoding in an id -> 400', async () => {
    expectEnvelope(await request(`${s.origin}/v1/boxes/%E0%A4%A`), 400, 'invalid_argument');
  });

  it('known-but-unsupported endpoints answer 400 unsupported', async () => {
    expectEnvelope(await request(`${s.origin}/v1/volumes`), 400, 'unsupported');
    expectEnvelope(await postJson(`${s.origin}/v1/boxes/x/snapshots`, { name: 's' }), 400, 'unsupported');
    expectEnvelope(await request(`${s.origin}/v1/boxes/import`, { method: 'POST', body: 'x' }), 400, 'unsupported');
    expectEnvelope(await request(`${s.origin}/v1/boxes/x/network/tunnel?port=80`, { method: 'POST' }), 400, 'unsupported');
  });
});

describe('X-Request-Id', () => {
  it('keeps a well-formed incoming id and replaces a malformed one', async () => {
    const kept = await request(`${s.origin}/v1/boxes/none`, { headers: { 'X-Request-Id': 'req_01HZK4.abc-9' } });
    expect(kept.headers['x-request-id']).toBe('req_01HZK4.abc-9');
    expect(kept.json.error.request_id).toBe('req_01HZK4.abc-9');
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const a = await request(`${s.origin}/v1/boxes/none`, { headers: { 'X-Request-Id': bad } });
      expect(a.headers['x-request-id']).not.toBe(bad);
      expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is on success answers too', async () => {
    const a = await request(`${s.origin}/v1/boxes`);
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the {prefix} slot', () => {
  it("'*' accepts any well-formed prefix (multi-segment too) or none; the leftmost split wins", async () => {
    const p = await serve({ t: s.t, handler: { auth: 'none', pathPrefix: '*' } });
    try {
      const id = await createBox(p.origin, { name: 'boxes' }, 'tenant-a/eu/');
      expect((await request(`${p.origin}/v1/tenant-a/eu/boxes/${id}`)).json.box_id).toBe(id);
      expect((await request(`${p.origin}/v1/boxes/${id}`)).json.box_id).toBe(id);
      // /v1/boxes/boxes is box "boxes" (no prefix), never the list under prefix "boxes"
      const ambiguous = await request(`${p.origin}/v1/boxes/boxes`);
      expect(ambiguous.json.box_id).toBe(id);
      expect((await request(`${p.origin}/v1/x/boxes`)).json.boxes).toBeDefined();
      expectEnvelope(await request(`${p.origin}/v1/bad%20prefix/boxes`), 404, 'not_found');
      expectEnvelope(await request(`${p.origin}/v1/${'p'.repeat(129)}/boxes`), 404, 'not_found');
      expect((await request(`${p.origin}/v1/me`)).json.path_prefix).toBeNull();
      await request(`${p.origin}/v1/boxes/${id}?force=true`, { method: 'DELETE' });
    } finally {
      await p.close();
    }
  });

  it('a configured prefix (or list) is required; /v1/me advertises a single one', async () => {
    const p = await serve({ t: s.t, handler: { auth: 'none', pathPrefix: 'org-1/team' } });
    try {
      expect((await request(`${p.origin}/v1/org-1/team/boxes`)).status).toBe(200);
      expectEnvelope(await request(`${p.origin}/v1/boxes`), 404, 'not_found');
      expectEnvelope(await request(`${p.origin}/v1/org-2/team/boxes`), 404, 'not_found');
      expect((await request(`${p.origin}/v1/me`)).json.path_prefix).toBe('org-1/team');
      expect((await request(`${p.origin}/v1/config`)).status).toBe(200);
    } finally {
      await p.close();
    }
    const list = await serve({ t: s.t, handler: { auth: 'none', pathPrefix: ['a', 'a/b'] } });
    try {
      expect((await request(`${list.origin}/v1/a/boxes`)).status).toBe(200);
      expect((await request(`${list.origin}/v1/a/b/boxes`)).status).toBe(200);
      expectEnvelope(await request(`${list.origin}/v1/b/boxes`), 404, 'not_found');
    } finally {
      await list.close();
    }
  });

  it('refuses malformed prefix options up front', async () => {
    const { createBoxliteHandler } = await import('../lib/http');
    expect(() => createBoxliteHandler(s.t.runtime, { auth: 'none', pathPrefix: 'has space' })).toThrow(/pathPrefix/);
    expect(() => createBoxliteHandler(s.t.runtime, { auth: 'none', pathPrefix: [] })).toThrow(/pathPrefix/);
    expect(() => createBoxliteHandler(s.t.runtime, { auth: 'none', jsonLimit: -1 })).toThrow(/jsonLimit/);
  });
});

describe('connections', () => {
  /** Raw HTTP/1.1 on one socket: send `requests`, collect what comes back until `expected` answers arrived or 3 s passed. */
  async function onOneSocket(port: number, requests: string[], expected: number): Promise<string> {
    const net = await import('node:net');
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      const timer = setTimeout(() => { sock.destroy(); resolve(got); }, 3000);
      sock.on('data', (c) => {
        got += c;
        if ((got.match(/HTTP\/1\.1 \d{3} /g) ?? []).length >= expected && /\}\s*$/.test(got)) {
          clearTimeout(timer);
          sock.destroy();
          resolve(got);
        }
      });
      sock.on('error', reject);
      sock.write(requests.join(''));
    });
  }

  it('a bodiless request refused at once (404, 405) keeps its keep-alive connection', async () => {
    const port = Number(new URL(s.origin).port);
    const got = await onOneSocket(port, [
      'GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n',
      'PATCH /v1/boxes HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/config HTTP/1.1\r\nHost: x\r\n\r\n',
    ], 3);
    expect(got.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 404', 'HTTP/1.1 405', 'HTTP/1.1 200']);
    expect(got).not.toMatch(/Connection: close/i);
  });

  it('a caller that hangs up mid-body is not reported as a server error', async () => {
    const net = await import('node:net');
    const box = await createBox(s.origin);
    const before = s.errors.length;
    const sock = net.connect(Number(new URL(s.origin).port), '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
    sock.write(`POST /v1/boxes/${box}/exec HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"comm`);
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.errors.slice(before)).toEqual([]);
    expect((await request(`${s.origin}/v1/config`)).status).toBe(200);
  });
});
