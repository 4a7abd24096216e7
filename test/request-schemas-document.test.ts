// lib/http/protocol/request-schemas.ts holds BoxLite's request-body schemas
// written out (the document is not in this repository). With BOXLITE_OPENAPI
// pointing at BoxLite's openapi/box.openapi.yaml, this proves the table is the
// document's, keyword for keyword: every bound, enum, pattern, required list,
// additionalProperties and property, in both directions, so a change upstream
// (a new maximum, a renamed field, a new body-taking operation) fails here.
// Without the variable only the table's own consistency is checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REQUEST_BODY_SCHEMAS, REQUEST_SCHEMAS } from '../lib/http/protocol/request-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const DOCUMENT = process.env.BOXLITE_OPENAPI;
const SKIP_REASON = 'BOXLITE_OPENAPI is not set (point it at BoxLite\'s openapi/box.openapi.yaml to compare the table with it)';
/** Keywords that describe and never constrain: left out of the table. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'default', 'deprecated', 'title']);
/**
 * Operations whose JSON body this server never reads, because it answers them
 * 400 `unsupported` (GET /v1/config reports the features off) whatever the body.
 */
const UNSERVED_BODIES: Readonly<Record<string, string>> = {
  createApiKey: 'API key issuance: credentials are the embedding application\'s (authenticate), not issued over this API',
  createVolume: 'managed volumes need a remote store; a local runtime has none',
  createSnapshot: 'snapshots: capabilities.snapshots_enabled=false',
  cloneBox: 'clone: capabilities.clone_enabled=false',
  exportBox: 'export: capabilities.export_enabled=false',
  pullImage: 'images are pulled by create, not by a separate call',
};

function withoutAnnotations(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(withoutAnnotations);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !ANNOTATIONS.has(k)).map(([k, v]) => [k, withoutAnnotations(v)]));
}

/** Every `$ref` under `schema`. */
function refsIn(schema: Json, out: string[] = []): string[] {
  if (schema === null || typeof schema !== 'object') return out;
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string') out.push(v);
    else refsIn(v, out);
  }
  return out;
}

/** operationId -> the JSON body's schema `$ref` (null: no JSON body), for every operation of the document. */
function jsonBodies(doc: Json): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const item of Object.values<Json>(doc.paths)) {
    for (const op of Object.values<Json>(item)) {
      if (op === null || typeof op !== 'object' || typeof op.operationId !== 'string') continue;
      out.set(op.operationId, op.requestBody?.content?.['application/json']?.schema?.$ref ?? null);
    }
  }
  return out;
}

describe('request-schemas.ts', () => {
  it('is closed: every $ref in it names a schema it holds, and every body schema is one of them', () => {
    const names = new Set(Object.keys(REQUEST_SCHEMAS));
    for (const ref of refsIn(REQUEST_SCHEMAS)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(names, ref).toContain(ref.slice('#/components/schemas/'.length));
    }
    for (const name of Object.values(REQUEST_BODY_SCHEMAS)) expect(names).toContain(name);
  });

  it.skipIf(!DOCUMENT)(`is BoxLite's document, keyword for keyword${DOCUMENT ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
    const doc = parseYaml(readFileSync(DOCUMENT as string, 'utf8'));
    const schemas = doc.components.schemas;
    for (const [name, ours] of Object.entries(REQUEST_SCHEMAS)) {
      expect(schemas[name], `the document has no schema ${name}`).toBeDefined();
      expect(ours, `${name} differs from the document's`).toEqual(withoutAnnotations(schemas[name]));
    }
  });

  it.skipIf(!DOCUMENT)(`names the body of every operation that takes JSON${DOCUMENT ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
    const bodies = jsonBodies(parseYaml(readFileSync(DOCUMENT as string, 'utf8')));
    for (const [operation, name] of Object.entries(REQUEST_BODY_SCHEMAS)) {
      expect(bodies.get(operation), `${operation}'s JSON body`).toBe(`#/components/schemas/${name}`);
    }
    const withJson = [...bodies].filter(([, ref]) => ref !== null).map(([op]) => op).sort();
    expect(withJson).toEqual([...Object.keys(REQUEST_BODY_SCHEMAS), ...Object.keys(UNSERVED_BODIES)].sort());
  });
});
