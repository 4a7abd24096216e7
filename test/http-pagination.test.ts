// GET /v1/{prefix}/boxes pagination over real HTTP: pageSize bounds and
// default, a stable walk that serves every box once even while boxes come and
// go, the status filter, and page tokens that cannot be edited or carried to
// another prefix, caller, filter or server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuth } from '../lib/http';
import { type Served, createBox, expectEnvelope, postJson, request, serve } from './http-support';

type BoxJson = { box_id: string; status: string };

async function walk(origin: string, query: string, headers: Record<string, string> = {}): Promise<{ pages: BoxJson[][]; ids: string[] }> {
  const pages: BoxJson[][] = [];
  let token: string | undefined;
  for (let i = 0; i < 200; i++) { // bounded: a server that never ends the walk fails the test
    const sep = query === '' ? '' : '&';
    const url = `${origin}/v1/boxes?${query}${token === undefined ? '' : `${sep}pageToken=${encodeURIComponent(token)}`}`;
    const a = await request(url, { headers });
    if (a.status !== 200) throw new Error(`page ${i}: ${a.status} ${a.text}`);
    pages.push(a.json.boxes);
    token = a.json.next_page_token;
    if (token === undefined) return { pages, ids: pages.flat().map((b) => b.box_id) };
    expect(typeof token).toBe('string');
  }
  throw new Error('the walk never ended');
}

describe('pageSize and the walk', () => {
  let s: Served;
  beforeAll(async () => { s = await serve(); });
  afterAll(async () => { await s.close(); });

  it('serves 101 boxes as pages of 100 by default, in one stable order, each box once', async () => {
    const created: string[] = [];
    for (let i = 0; i < 101; i++) created.push(await createBox(s.origin));
    const all = await request(`${s.origin}/v1/boxes?pageSize=1000`);
    expect(all.status).toBe(200);
    expect(all.json.boxes).toHaveLength(101);
    expect(all.json).not.toHaveProperty('next_page_token'); // "null or absent" on the last page
    const order = all.json.boxes.map((b: BoxJson) => b.box_id);
    expect(new Set(order)).toEqual(new Set(created));

    const byDefault = await walk(s.origin, '');
    expect(byDefault.pages.map((p) => p.length)).toEqual([100, 1]);
    expect(byDefault.ids).toEqual(order);

    const bySeven = await walk(s.origin, 'pageSize=7');
    expect(bySeven.pages.map((p) => p.length)).toEqual([...Array(14).fill(7), 3]);
    expect(bySeven.ids).toEqual(order);
    expect((await walk(s.origin, 'pageSize=101')).pages.map((p) => p.length)).toEqual([101]);
    expect((await walk(s.origin, 'pageSize=1')).ids).toEqual(order);
    // The page size may change between pages: the token names a position, not a page number.
    const first = await request(`${s.origin}/v1/boxes?pageSize=10`);
    const rest = await request(`${s.origin}/v1/boxes?pageSize=1000&pageToken=${encodeURIComponent(first.json.next_page_token)}`);
    expect([...first.json.boxes, ...rest.json.boxes].map((b: BoxJson) => b.box_id)).toEqual(order);
  });

  it('answers 400 for a pageSize outside 1..1000 or not an integer', async () => {
    for (const bad of ['0', '1001', '-1', '1.5', '1e2', 'abc', '', ' 5', '99999999999']) {
      const a = await request(`${s.origin}/v1/boxes?pageSize=${encodeURIComponent(bad)}`);
      expect(expectEnvelope(a, 400, 'invalid_argument').message, bad).toContain('pageSize');
    }
    expect((await request(`${s.origin}/v1/boxes?pageSize=1000`)).status).toBe(200);
    expect((await request(`${s.origin}/v1/boxes?pageSize=1`)).json.boxes).toHaveLength(1);
  });

  it('keeps the walk exact while boxes are removed and created between pages', async () => {
    const order: string[] = (await request(`${s.origin}/v1/boxes?pageSize=1000`)).json.boxes.map((b: BoxJson) => b.box_id);
    const page1 = await request(`${s.origin}/v1/boxes?pageSize=20`);
    const seen: string[] = page1.json.boxes.map((b: BoxJson) => b.box_id);
    // Remove one box already served and one not yet served; add a new one.
    const removedSeen = seen[3];
    const removedUnseen = order[50];
    expect((await request(`${s.origin}/v1/boxes/${removedSeen}?force=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await request(`${s.origin}/v1/boxes/${removedUnseen}?force=true`, { method: 'DELETE' })).status).toBe(204);
    const added = await createBox(s.origin);
    let token: string | undefined = page1.json.next_page_token;
    for (let i = 0; token !== undefined && i < 50; i++) {
      const a = await request(`${s.origin}/v1/boxes?pageSize=20&pageToken=${encodeURIComponent(token)}`);
      expect(a.status).toBe(200);
      seen.push(...a.json.boxes.map((b: BoxJson) => b.box_id));
      token = a.json.next_page_token;
    }
    expect(token).toBeUndefined();
    expect(new Set(seen).size).toBe(seen.length); // nothing twice
    expect(seen).not.toContain(removedUnseen);
    // A box created during the walk is served when it sorts after the page it
    // came behind: always, unless it shares the cursor's created_at (the
    // engine's clock has whole seconds) and its random id sorts lower.
    const now: string[] = (await request(`${s.origin}/v1/boxes?pageSize=1000`)).json.boxes.map((b: BoxJson) => b.box_id);
    const cursor = page1.json.boxes[page1.json.boxes.length - 1].box_id;
    if (now.indexOf(added) > now.indexOf(cursor)) expect(seen).toContain(added);
    else expect(seen).not.toContain(added);
    const survivors = order.filter((id) => id !== removedUnseen);
    for (const id of survivors) expect(seen).toContain(id);
  });

  it('filters by status, validates it, and binds tokens to the filter', async () => {
    const running = await createBox(s.origin);
    expect((await request(`${s.origin}/v1/boxes/${running}/start`, { method: 'POST' })).status).toBe(200);
    const onlyRunning = await walk(s.origin, 'status=running&pageSize=1');
    expect(onlyRunning.ids).toContain(running);
    expect(onlyRunning.pages.flat().every((b) => b.status === 'running')).toBe(true);
    const configured = await request(`${s.origin}/v1/boxes?status=configured&pageSize=2`);
    expect(configured.json.boxes.every((b: BoxJson) => b.status === 'configured')).toBe(true);
    // A token made for status=configured is not a token for status=running or for no filter.
    const token = encodeURIComponent(configured.json.next_page_token);
    expectEnvelope(await request(`${s.origin}/v1/boxes?status=running&pageToken=${token}`), 400, 'invalid_argument');
    expectEnvelope(await request(`${s.origin}/v1/boxes?pageToken=${token}`), 400, 'invalid_argument');
    expect((await request(`${s.origin}/v1/boxes?status=configured&pageToken=${token}`)).status).toBe(200);
    const bad = expectEnvelope(await request(`${s.origin}/v1/boxes?status=sleeping`), 400, 'invalid_argument');
    expect(bad.message).toContain('status must be one of');
  });

  it('refuses edited, truncated, foreign and garbage tokens with 400', async () => {
    const first = await request(`${s.origin}/v1/boxes?pageSize=5`);
    const token: string = first.json.next_page_token;
    const [payload, mac] = token.split('.');
    // A cursor moved by hand (the payload is readable base64url JSON, but signed).
    const forged = Buffer.from(JSON.stringify([1, 0, ''])).toString('base64url');
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    const other = await serve({ t: s.t }); // same runtime, another handler: another key
    try {
      const foreign = (await request(`${other.origin}/v1/boxes?pageSize=5`)).json.next_page_token;
      for (const bad of [`${forged}.${mac}`, flip(token, 2), flip(token, token.length - 3), payload, `${payload}.`,
        `${token}.x`, 'not-a-token', 'x'.repeat(600), `${payload}.${mac.slice(0, 10)}`, foreign]) {
        const a = await request(`${s.origin}/v1/boxes?pageToken=${encodeURIComponent(bad)}`);
        expect(expectEnvelope(a, 400, 'invalid_argument').message, bad.slice(0, 40)).toContain('pageToken');
      }
    } finally {
      await other.close();
    }
  });
});

describe('tokens are bound to the prefix and the caller', () => {
  let s: Served;
  beforeAll(async () => {
    const alice = bearerTokenAuth('alice-token', { principal: { sub: 'alice' } });
    const bob = bearerTokenAuth('bob-token', { principal: { sub: 'bob' } });
    s = await serve({ handler: { pathPrefix: ['team-a', 'team-b'], authenticate: (req) => alice(req) ?? bob(req) } });
    for (let i = 0; i < 4; i++) {
      expect((await postJson(`${s.origin}/v1/team-a/boxes`, {}, { Authorization: 'Bearer alice-token' })).status).toBe(201);
    }
  });
  afterAll(async () => { await s.close(); });

  const as = (who: string) => ({ Authorization: `Bearer ${who}-token` });

  it('a token from one prefix or one caller is refused elsewhere', async () => {
    const page = await request(`${s.origin}/v1/team-a/boxes?pageSize=2`, { headers: as('alice') });
    expect(page.status).toBe(200);
    const token = encodeURIComponent(page.json.next_page_token);
    expect((await request(`${s.origin}/v1/team-a/boxes?pageSize=2&pageToken=${token}`, { headers: as('alice') })).status).toBe(200);
    expectEnvelope(await request(`${s.origin}/v1/team-b/boxes?pageToken=${token}`, { headers: as('alice') }), 400, 'invalid_argument');
    expectEnvelope(await request(`${s.origin}/v1/team-a/boxes?pageToken=${token}`, { headers: as('bob') }), 400, 'invalid_argument');
  });
});
