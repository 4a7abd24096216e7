// Request bodies at the edges of what BoxLite's document and BoxLite's own
// server take. Real HTTP on 127.0.0.1, test engine.
//  - JSON null counts as an absent field (request-schemas.ts), in `network`
//    too: a client that writes every field of NetworkSpec, null for the
//    shape it does not use, was refused with "use either {mode, allow_net}
//    or {outbound, inbound}, not both".
//  - A string holding a lone UTF-16 surrogate ("\ud800", valid JSON escape
//    syntax, no Unicode text) was accepted and reached the engine as U+FFFD:
//    what ran was not what was sent. BoxLite's server (serde_json) refuses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, createBox, expectEnvelope, request, serve } from './http-support';

let s: Served;
let box: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none' } });
  box = await createBox(s.origin, { name: 'http-request-values' });
});
afterAll(async () => {
  await s.close();
});

const post = (url: string, raw: string) => request(`${s.origin}${url}`, { method: 'POST', body: raw });

describe('null fields of network count as absent', () => {
  it('nested shape with the flat fields null', async () => {
    const a = await post('/v1/boxes', '{"network":{"mode":null,"allow_net":null,"outbound":{"mode":"enabled","allow_net":["example.com"]},"inbound":null}}');
    expect(a.status, a.text).toBe(201);
  });

  it('flat shape with the nested fields null', async () => {
    const a = await post('/v1/boxes', '{"network":{"mode":"disabled","allow_net":null,"outbound":null,"inbound":null}}');
    expect(a.status, a.text).toBe(201);
  });

  it('both shapes given for real are still refused', async () => {
    const a = await post('/v1/boxes', '{"network":{"mode":"enabled","outbound":{"mode":"enabled"}}}');
    expect(expectEnvelope(a, 400, 'invalid_argument').message).toMatch(/not both/);
  });
});

describe('strings must be Unicode text: a lone surrogate is refused (400)', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['exec command', 'exec', '{"command":"echo\\ud800"}', /command/],
    ['exec args item', 'exec', '{"command":"echo","args":["ok","\\udc00x"]}', /args\[1\]/],
    ['exec env value', 'exec', '{"command":"echo","env":{"A":"\\ud83d"}}', /env\."A"/],
    ['exec env name', 'exec', '{"command":"echo","env":{"A\\ud800":"v"}}', /env/],
    ['create image', 'boxes', '{"image":"alpine\\udfff"}', /image/],
    ['create cmd item', 'boxes', '{"cmd":["\\ud800"]}', /cmd\[0\]/],
  ];
  it.each(cases)('%s', async (_what, where, raw, names) => {
    const url = where === 'exec' ? `/v1/boxes/${box}/exec` : '/v1/boxes';
    const err = expectEnvelope(await post(url, raw), 400, 'invalid_argument');
    expect(err.message).toMatch(names);
    expect(err.message).toMatch(/surrogate/);
  });

  it('a surrogate pair (an emoji) is text and is taken', async () => {
    const a = await post(`/v1/boxes/${box}/exec`, '{"command":"echo","args":["\\ud83d\\ude00"],"env":{"E":"\\ud83d\\ude00"}}');
    expect(a.status, a.text).toBe(201);
  });
});
