// The conformance validator itself, on a small inline OpenAPI 3.1 document
// (so it runs without BoxLite's): it must accept what the document allows and
// catch each kind of divergence, or the conformance test could not fail.
import { describe, expect, it } from 'vitest';
import type { RecordedAnswer } from './answer-recorder';
import { OpenApiValidator, honourNullable } from './openapi-validator';

const DOC = `
openapi: 3.1.1
info: { title: mini, version: 9.9.9 }
paths:
  /{prefix}/things:
    parameters: [{ $ref: "#/components/parameters/prefix" }]
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/List" } } }
    post:
      operationId: makeThing
      responses:
        "201":
          description: made
          headers: { Location: { schema: { type: string } } }
          content: { application/json: { schema: { $ref: "#/components/schemas/Thing" } } }
        "409": { $ref: "#/components/responses/Conflict" }
  /{prefix}/things/{id}:
    parameters: [{ $ref: "#/components/parameters/prefix" }]
    delete:
      operationId: dropThing
      responses:
        "204": { description: gone }
  /{prefix}/things/special:
    parameters: [{ $ref: "#/components/parameters/prefix" }]
    get:
      operationId: special
      responses:
        "200": { description: ok, content: { application/json: { schema: { type: object } } } }
components:
  parameters:
    prefix: { name: prefix, in: path, required: true, schema: { type: string } }
  responses:
    Conflict:
      description: conflict
      content: { application/json: { schema: { $ref: "#/components/schemas/ErrorResponse" } } }
  schemas:
    Thing:
      type: object
      required: [id, at]
      properties:
        id: { type: string, minLength: 1 }
        at: { type: string, format: date-time }
        size: { type: integer, format: int64 }
        owner: { type: string, nullable: true }
    List:
      type: object
      required: [things]
      properties:
        things: { type: array, items: { $ref: "#/components/schemas/Thing" } }
        next: { type: string, nullable: true }
    ErrorResponse:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [message, type, code]
          properties:
            message: { type: string }
            type: { type: string }
            code: { type: string, enum: [not_found, invalid_state, unsupported] }
            request_id: { type: string }
`;

function answer(method: string, path: string, status: number, body: unknown, headers: Record<string, string> = {}): RecordedAnswer {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    suite: 'mini', method, path, query: '', status, body: text, bodyBytes: text.length, via: 'http',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  };
}

const THING = { id: 't1', at: '2026-01-01T00:00:00.000Z', size: 3, owner: null };
const err = (code: string, id = 'r1') => ({ error: { message: 'm', type: 'T', code, request_id: id } });

describe('OpenApiValidator', () => {
  const v = new OpenApiValidator(DOC, { explained: [{ key: '* 404 not_found', reason: 'test reason' }] });

  it('accepts answers the document allows, with or without a prefix, and reports coverage', () => {
    const r = v.check([
      answer('GET', '/things', 200, { things: [THING], next: null }),
      answer('GET', '/a/b/things', 200, { things: [] }),
      answer('HEAD', '/things', 200, undefined),
      answer('POST', '/t/things', 201, THING, { location: '/v1/t/things/t1' }),
      answer('POST', '/things', 409, err('invalid_state'), { 'x-request-id': 'r1' }),
      answer('DELETE', '/things/t1', 204, undefined),
      answer('DELETE', '/things/nope', 404, err('not_found'), { 'x-request-id': 'r1' }),
      answer('GET', '/things/special', 200, {}),
    ]);
    expect(r.failures.map((f) => f.problem)).toEqual([]);
    expect(v.version).toBe('9.9.9');
    expect([...r.covered.keys()].sort()).toEqual(['dropThing', 'listThings', 'makeThing', 'special']);
    expect(r.uncovered).toEqual([]);
    expect([...r.explained.keys()]).toEqual(['* 404 not_found']);
  });

  it('catches each kind of divergence', () => {
    const cases: Array<[RecordedAnswer, RegExp]> = [
      [answer('GET', '/things', 200, { things: [{ id: '', at: 'yesterday' }] }), /does not match its schema/],
      [answer('GET', '/things', 200, { boxes: [] }), /must have required property 'things'/],
      [answer('GET', '/things', 200, { things: [], next: 5 }), /does not match/],
      [answer('POST', '/things', 200, THING), /status 200 is not listed for makeThing/],
      [answer('POST', '/things', 201, THING), /documented header Location is missing/],
      [answer('DELETE', '/things/t1', 204, { no: 'body' }), /listed without content/],
      [answer('POST', '/things', 409, { message: 'flat' }, { 'x-request-id': 'r1' }), /not an ErrorResponse/],
      [answer('POST', '/things', 409, err('invalid_state', 'other'), { 'x-request-id': 'r1' }), /is not the X-Request-Id/],
      [answer('POST', '/things', 422, err('invalid_state'), { 'x-request-id': 'r1' }), /422 \(invalid_state\) is not listed/],
      [answer('POST', '/things', 409, err('mystery'), { 'x-request-id': 'r1' }), /not an ErrorResponse/],
      [{ ...answer('GET', '/things', 200, undefined), headers: { 'content-type': 'text/plain' }, body: 'hi', bodyBytes: 2 }, /Content-Type "text\/plain" is not listed/],
      [answer('GET', '/elsewhere', 200, {}), /path or method the document does not have/],
    ];
    for (const [a, problem] of cases) {
      const r = v.check([a]);
      expect(r.failures.map((f) => f.problem).join('\n'), `${a.method} ${a.path} ${a.status}`).toMatch(problem);
    }
  });

  it('holds an answer to every operation an ambiguous path can mean, and reports the failures of the preferred one', () => {
    // "/p/things/things": dropThing of thing "things" under "p", or listThings under "p/things".
    const list = { things: [THING] };
    const v2 = new OpenApiValidator(DOC.replace('    delete:\n      operationId: dropThing', '    get:\n      operationId: getThing\n      responses:\n        "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/Thing" } } } }\n    delete:\n      operationId: dropThing'), { explained: [] });
    expect(v2.operationsFor('GET', '/p/things/things').map((o) => o.id)).toEqual(['getThing', 'listThings']);
    const asList = v2.check([answer('GET', '/p/things/things', 200, list)]);
    expect(asList.failures).toEqual([]);
    expect([...asList.covered.keys()]).toEqual(['listThings']);
    const neither = v2.check([answer('GET', '/p/things/things', 200, { nothing: 1 })]);
    expect(neither.failures.map((f) => `${f.operation}: ${f.problem}`)).toEqual([
      expect.stringMatching(/^getThing: 200 body does not match its schema: body must have required property 'id'/),
    ]);
    expect(v2.checkRequest({ method: 'GET', url: 'http://h/v1/p/things/things', headers: {}, body: null })).toBeNull();
  });

  it('accepts an answer outside the document only when a reason is written down for its method and status', () => {
    const preflight = answer('OPTIONS', '/things', 204, undefined);
    expect(v.check([preflight]).failures.map((f) => f.problem)).toEqual([expect.stringMatching(/path or method the document does not have/)]);
    const explained = new OpenApiValidator(DOC, { explained: [{ key: 'outside OPTIONS 204', reason: 'CORS preflight' }] });
    const r = explained.check([preflight, answer('OPTIONS', '/things', 200, {})]);
    expect(r.failures.map((f) => `${f.answer.status}: ${f.problem}`)).toEqual([expect.stringMatching(/^200: a 200 answer to a path/)]);
    expect([...r.explained]).toEqual([['outside OPTIONS 204', new Set(['OPTIONS /things'])]]);
  });

  it('amends a schema keyword only where the document has it', () => {
    const big = answer('GET', '/things', 200, { things: [{ ...THING, id: 'x'.repeat(20) }] });
    const capped = DOC.replace('id: { type: string, minLength: 1 }', 'id: { type: string, minLength: 1, maxLength: 8 }');
    expect(new OpenApiValidator(capped, { explained: [] }).check([big]).failures.map((f) => f.problem)).toEqual([expect.stringMatching(/must NOT have more than 8 characters/)]);
    const amended = new OpenApiValidator(capped, {
      explained: [], amendments: [{ path: ['components', 'schemas', 'Thing', 'properties', 'id'], replace: { maxLength: 32 }, reason: 'test' }],
    });
    expect(amended.check([big]).failures).toEqual([]);
    expect(() => new OpenApiValidator(DOC, {
      explained: [], amendments: [{ path: ['components', 'schemas', 'Thing', 'properties', 'id'], replace: { maxLength: 32 }, reason: 'test' }],
    })).toThrow(/no maxLength there/);
    expect(() => new OpenApiValidator(DOC, {
      explained: [], amendments: [{ path: ['components', 'schemas', 'Nothing'], addEnum: ['x'], reason: 'test' }],
    })).toThrow(/no schema there/);
  });

  it('prefers literal segments over ids and the shortest prefix', () => {
    expect(v.operationFor('GET', '/things/special')?.id).toBe('special');
    expect(v.operationFor('DELETE', '/things/special')?.id).toBe('dropThing');
    expect(v.operationFor('HEAD', '/x/things')?.id).toBe('listThings');
    expect(v.operationFor('PUT', '/things')).toBeNull();
  });

  it('reads nullable: true (OpenAPI 3.0) as an added null type', () => {
    expect(honourNullable({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(honourNullable({ type: 'string', enum: ['a'], nullable: true })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(honourNullable({ properties: { x: { type: 'integer', nullable: true } } })).toEqual({ properties: { x: { type: ['integer', 'null'] } } });
  });
});
