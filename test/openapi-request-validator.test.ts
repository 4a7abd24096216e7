// OpenApiValidator.checkRequest: what the parity suite uses (with
// BOXLITE_OPENAPI set) to hold every request Runtime.rest() sends to BoxLite's
// document. Checked here against a small document written for this test, in
// the same shape (path-level {prefix}, $ref parameters, Idempotency-Key,
// a closed request schema, a binary upload).
import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from './openapi-validator';

const DOC = `
openapi: 3.1.0
info: { title: mini, version: '1' }
paths:
  /{prefix}/boxes:
    parameters: [{ $ref: '#/components/parameters/prefix' }]
    post:
      operationId: createBox
      parameters: [{ $ref: '#/components/parameters/idem' }]
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: '#/components/schemas/Create' } } }
      responses: { '201': { description: ok } }
    get:
      operationId: listBoxes
      parameters:
        - { name: pageSize, in: query, schema: { type: integer, minimum: 1, maximum: 1000 } }
        - { name: pageToken, in: query, schema: { type: string } }
      responses: { '200': { description: ok } }
  /{prefix}/boxes/{box_id}/files:
    parameters: [{ $ref: '#/components/parameters/prefix' }, { name: box_id, in: path, required: true, schema: { type: string } }]
    put:
      operationId: uploadFiles
      parameters: [{ name: path, in: query, required: true, schema: { type: string } }]
      requestBody:
        required: true
        content: { application/x-tar: { schema: { type: string, format: binary } } }
      responses: { '204': { description: ok } }
  /{prefix}/boxes/{box_id}/metrics:
    parameters: [{ $ref: '#/components/parameters/prefix' }, { name: box_id, in: path, required: true, schema: { type: string } }]
    get:
      operationId: getBoxMetrics
      responses: { '200': { description: ok } }
components:
  parameters:
    prefix: { name: prefix, in: path, required: true, schema: { type: string } }
    idem: { name: Idempotency-Key, in: header, schema: { type: string, format: uuid } }
  schemas:
    Create:
      type: object
      additionalProperties: false
      properties:
        name: { type: string, pattern: '^[a-z0-9-]+$' }
        image: { type: string }
        cpus: { type: integer, maximum: 32 }
`;

const v = new OpenApiValidator(DOC, { explained: [] });
const KEY = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const json = { 'Content-Type': 'application/json' };

describe('OpenApiValidator.checkRequest', () => {
  it('accepts conforming requests (with and without a prefix, behind a base path, over ws:)', () => {
    expect(v.checkRequest({ method: 'POST', url: 'http://h/v1/boxes', headers: { ...json, 'Idempotency-Key': KEY }, body: { image: 'alpine', name: 'a-1' } })).toBeNull();
    expect(v.checkRequest({ method: 'GET', url: 'http://h/api/v1/us/team/boxes?pageSize=1000&pageToken=abc', headers: {}, body: null })).toBeNull();
    expect(v.checkRequest({ method: 'PUT', url: 'http://h/v1/boxes/b/files?path=%2Fx', headers: { 'Content-Type': 'application/x-tar' }, body: null })).toBeNull();
    expect(v.checkRequest({ method: 'GET', url: 'ws://h/v1/boxes/b/metrics', headers: {}, body: null })).toBeNull();
  });

  it('names what does not conform', () => {
    const cases: Array<[Parameters<OpenApiValidator['checkRequest']>[0], RegExp]> = [
      [{ method: 'PATCH', url: 'http://h/v1/boxes', headers: {}, body: null }, /no operation/],
      [{ method: 'GET', url: 'http://h/boxes', headers: {}, body: null }, /not under \/v1\//],
      [{ method: 'GET', url: 'http://h/v1/boxes?pageSize=1001', headers: {}, body: null }, /listBoxes: query pageSize=1001/],
      [{ method: 'GET', url: 'http://h/v1/boxes?limit=5', headers: {}, body: null }, /query parameter limit is not declared/],
      [{ method: 'PUT', url: 'http://h/v1/boxes/b/files', headers: { 'Content-Type': 'application/x-tar' }, body: null }, /required query parameter path/],
      [{ method: 'PUT', url: 'http://h/v1/boxes/b/files?path=/x', headers: json, body: { a: 1 } }, /Content-Type application\/json is not one the document lists/],
      [{ method: 'POST', url: 'http://h/v1/boxes', headers: { ...json, 'Idempotency-Key': 'not-a-uuid' }, body: { image: 'a' } }, /header Idempotency-Key/],
      [{ method: 'GET', url: 'http://h/v1/boxes/b/metrics', headers: { 'Idempotency-Key': KEY }, body: null }, /does not declare for it/],
      [{ method: 'POST', url: 'http://h/v1/boxes', headers: json, body: { image: 'a', volumes: [] } }, /body must NOT have additional properties/],
      [{ method: 'POST', url: 'http://h/v1/boxes', headers: json, body: { image: 'a', cpus: 64 } }, /body\/cpus must be <= 32/],
      [{ method: 'POST', url: 'http://h/v1/boxes', headers: {}, body: null }, /requires a body/],
      [{ method: 'GET', url: 'http://h/v1/boxes/b/metrics', headers: json, body: { x: 1 } }, /JSON body the document does not describe/],
    ];
    for (const [request, problem] of cases) expect(v.checkRequest(request)).toMatch(problem);
  });

  it('lets a documented divergence through by operation and name', () => {
    const upload = { method: 'PUT', url: 'http://h/v1/boxes/b/files?path=/x&source_is_dir=true', headers: { 'Content-Type': 'application/x-tar' }, body: null };
    expect(v.checkRequest(upload)).toMatch(/source_is_dir is not declared/);
    expect(v.checkRequest(upload, ['uploadFiles source_is_dir'])).toBeNull();
  });
});
