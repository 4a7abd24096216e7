// @ts-nocheck
// Authentication and authorization: no accidental open server, 401/403 with
// the envelope (HTTP and WebSocket), /v1/config open, tokens never echoed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuth, createBoxliteHandler } from '../lib/http';
import { openTestRuntime, type TestRuntime } from '../lib/testing';
import { attach, attachUrl, expectEnvelope, postJson, request, serve } from './http-support';

const TOKEN = 'blk_test_s3cr3t-token-value';
const auth = { Authorization: `Bearer ${TOKEN}` };
let t: TestRuntime;
beforeAll(async () => { t = await openTestRuntime(); });
afterAll(async () => { await t.close(); });

describe('configuration', () => {
  it('refuses to build an open handler by accident', () => {
    expect(() => createBoxliteHandler(t.runtime)).toThrow(/authenticate.*auth: 'none'/s);
    expect(() => createBoxliteHandler(t.runtime, {})).toThrow(TypeError);
    expect(() => createBoxliteHandler(t.runtime, { auth: 'none', authenticate: () => ({}) })).toThrow(/not both/);
    expect(() => createBoxliteHandler(t.runtime, { auth: 'open' as 'none' })).toThrow(/only 'none'/);
    expect(() => bearerTokenAuth('')).toThrow(TypeError);
    expect(() => createBoxliteHandler({} as never, { auth: 'none' })).toThrow(/Runtime/);
  });
});

describe('bearer tokens', () => {
  it('401 without or with a wrong token, never echoing it; 200 with it; /v1/config stays open', async () => {
    const s = await serve({ t, handler: { authenticate: bearerTokenAuth(TOKEN) } });
    try {
      const none = await request(`${s.origin}/v1/boxes`);
      expectEnvelope(none, 401, 'unauthenticated');
      expect(none.json.error.type).toBe('AuthError');
      expect(none.headers['www-authenticate']).toBe('Bearer');
      const wrongToken = `${TOKEN}-wrong`;
      const wrong = await request(`${s.origin}/v1/boxes`, { headers: { Authorization: `Bearer ${wrongToken}` } });
      expectEnvelope(wrong, 401, 'unauthenticated');
      expect(wrong.text).not.toContain(wrongToken);
      expect(wrong.text).not.toContain(TOKEN);
      expectEnvelope(await request(`${s.origin}/v1/boxes`, { headers: { Authorization: TOKEN } }), 401, 'unauthenticated');
      // unknown routes reveal nothing before authentication
      expectEnvelope(await request(`${s.origin}/v1/secret-route`), 401, 'unauthenticated');
      expect((await request(`${s.origin}/v1/boxes`, { headers: auth })).status).toBe(200);
      expect((await request(`${s.origin}/v1/boxes`, { headers: { Authorization: `bearer ${TOKEN}` } })).status).toBe(200);
      expect((await request(`${s.origin}/v1/config`)).status).toBe(200);
      expect(JSON.stringify(s.errors)).not.toContain(TOKEN);
    } finally {
      await s.close();
    }
  });

  it('the WebSocket attach is authenticated too', async () => {
    const s = await serve({ t, handler: { authenticate: bearerTokenAuth([TOKEN, 'second-token']) } });
    try {
      const id = (await postJson(`${s.origin}/v1/boxes`, {}, auth)).json.box_id;
      const eid = (await postJson(`${s.origin}/v1/boxes/${id}/exec`, { command: 'echo', args: ['ok'] }, { Authorization: 'Bearer second-token' })).json.execution_id;
      const refused = await attach(attachUrl(s.origin, id, eid)).then(() => null, (e) => e);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('unauthenticated');
      const at = await attach(attachUrl(s.origin, id, eid), auth);
      expect((await at.closed).exitCode).toBe(0);
      expect(at.stdout()).toBe('ok\n');
    } finally {
      await s.close();
    }
  });

  it('the official client with and without its credential', async () => {
    const sdk = await import('@boxlite-ai/boxlite');
    const s = await serve({ t, handler: { authenticate: bearerTokenAuth(TOKEN) } });
    try {
      const good = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: s.origin, credential: new sdk.ApiKeyCredential(TOKEN) }));
      const box = await good.create({ image: 'alpine:latest' });
      const ex = await box.exec('echo', ['authed'], null, false, null, null, null);
      const out = await ex.stdout();
      expect(await out.next()).toBe('authed\n');
      expect((await ex.wait()).exitCode).toBe(0);
      const bad = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: s.origin, credential: new sdk.ApiKeyCredential('nope') }));
      const err = await bad.create({ image: 'alpine:latest' }).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^configuration error: auth: /);
      expect(err?.message).not.toContain(TOKEN);
    } finally {
      await s.close();
    }
  });
});

describe('authorize', () => {
  it('403 permission_denied with the action; sees the prefix and ids (tenant binding)', async () => {
    const seen: Array<{ action: string; prefix: string; boxId?: string }> = [];
    const s = await serve({
      t,
      handler: {
        pathPrefix: '*',
        authenticate: (req) => {
          const m = /^Bearer (\w+)$/.exec(req.headers.authorization ?? '');
          return m ? { sub: m[1], tenant: m[1] } : null;
        },
        authorize: (principal, _req, action, details) => {
          seen.push({ action, prefix: details.prefix, boxId: details.boxId });
          const p = principal as { tenant: string };
          if (action === 'me:read') return true;
          if (details.prefix !== p.tenant) return false;
          return action !== 'box:delete';
        },
      },
    });
    try {
      const alice = { Authorization: 'Bearer alice' };
      const created = await postJson(`${s.origin}/v1/alice/boxes`, {}, alice);
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/v1/alice/boxes/${created.json.box_id}`);
      const id = created.json.box_id;
      const denied = await request(`${s.origin}/v1/alice/boxes/${id}`, { method: 'DELETE', headers: alice });
      expectEnvelope(denied, 403, 'permission_denied');
      expect(denied.json.error.message).toContain('box:delete');
      expectEnvelope(await request(`${s.origin}/v1/bob/boxes`, { headers: alice }), 403, 'permission_denied');
      expect(seen).toContainEqual({ action: 'box:delete', prefix: 'alice', boxId: id });
      expect(seen).toContainEqual({ action: 'box:write', prefix: 'alice', boxId: undefined });
      // /v1/config needs neither hook
      const before = seen.length;
      expect((await request(`${s.origin}/v1/config`)).status).toBe(200);
      expect(seen.length).toBe(before);
      expect((await request(`${s.origin}/v1/me`, { headers: alice })).json.sub).toBe('alice');
    } finally {
      await s.close();
    }
  });

  it('a throwing authenticate is a 500 with the envelope, not a crash', async () => {
    const s = await serve({ t, handler: { authenticate: () => { throw new Error('idp down'); } } });
    try {
      expectEnvelope(await request(`${s.origin}/v1/boxes`), 500, 'internal');
      expect(s.errors.length).toBe(1);
    } finally {
      await s.close();
    }
  });
});
