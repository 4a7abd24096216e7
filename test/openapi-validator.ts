// Checks recorded answers (answer-recorder.ts) against an OpenAPI 3.1
// document: BoxLite's openapi/box.openapi.yaml, which is read from the path
// given at run time and never copied into this repository.
//
// For each answer: find the operation (path template + method; HEAD falls
// back to GET), then
//   - a status the operation lists: the Content-Type must be one it lists, a
//     JSON body must be valid against the listed schema (ajv, JSON Schema
//     2020-12, which OpenAPI 3.1 uses), every header the response describes
//     (Location on 201s) must be sent; a response listed without content
//     must have an empty body;
//   - a status it does not list: it must be an error status (4xx/5xx)
//     carrying ErrorResponse, and it must be explained, either by a status
//     every operation can answer (GENERIC_ERRORS) or by a deliberate
//     divergence written down with its reason (DIVERGENCES);
//   - every error answer: ErrorResponse, with error.request_id equal to the
//     X-Request-Id header (the document says it is propagated from it).
// Answers to paths or methods the document does not have must be errors
// carrying ErrorResponse too.
//
// One reading of the document is needed: it is OpenAPI 3.1 but marks null
// with OpenAPI 3.0's `nullable: true` (Box.name, Box.pid, Principal.path_prefix,
// ExecutionInfo.exit_code, ListBoxesResponse.next_page_token...). JSON Schema
// 2020-12 ignores that keyword, which would make every `null` it describes
// ("null if not running") invalid; the validator honours the document's intent
// by turning `nullable: true` into an added "null" type.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { RecordedAnswer } from './answer-recorder';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

/**
 * An answer the document does not list, and why this server gives it. Keys,
 * most specific first: `<operationId> <status> <code>`, `<operationId> <status>`,
 * `* <status> <code>`, `* <status>` (`*`: any operation; `code`: error.code).
 */
export interface Divergence {
  readonly key: string;
  readonly reason: string;
}

/** A value the document's schema does not allow but BoxLite itself sends, with the evidence. */
export interface Amendment {
  /** Path of a schema with an `enum` inside the document, e.g. ['components', 'schemas', 'ErrorModel', 'properties', 'type']. */
  readonly path: readonly string[];
  readonly addEnum: readonly unknown[];
  readonly reason: string;
}

export interface Finding {
  answer: RecordedAnswer;
  operation: string;
  problem: string;
}

export interface ConformanceReport {
  checked: number;
  /** operationId -> statuses seen. */
  covered: Map<string, Set<number>>;
  /** Operations of the document no answer exercised. */
  uncovered: string[];
  /** Answers outside the document (unknown path or method): method path -> statuses. */
  outside: Map<string, Set<number>>;
  /** Undeclared statuses accepted: the explaining rule's key -> the answers it explained. */
  explained: Map<string, Set<string>>;
  failures: Finding[];
}

interface Operation {
  id: string;
  method: string;
  template: string;
  regex: RegExp;
  literals: number;
  responses: Record<string, Json>;
  /** Path-level and operation-level parameters (refs unresolved). */
  parameters: Json[];
  requestBody: Json;
}

/** A request a client sent (as Runtime.rest() publishes it on its diagnostics channel). */
export interface SentRequest {
  method: string;
  /** Absolute URL (http(s) or ws(s)). */
  url: string;
  headers: Record<string, string>;
  /** The JSON body, or null (none, or binary). */
  body: unknown;
}

function errorCodeOf(body: string): string | undefined {
  try {
    return JSON.parse(body)?.error?.code;
  } catch {
    return undefined;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options'];

/** `nullable: true` (OpenAPI 3.0) -> a "null" type (JSON Schema 2020-12), recursively, on a copy. */
export function honourNullable(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(honourNullable);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable') continue;
    out[k] = honourNullable(v);
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.$ref !== undefined) return { anyOf: [{ $ref: out.$ref }, { type: 'null' }] };
  }
  return out;
}

function templateRegex(template: string): { regex: RegExp; literals: number } {
  let literals = 0;
  let pattern = '';
  for (const seg of template.split('/').slice(1)) {
    if (seg === '{prefix}') pattern += '(?:/(?<prefix>.+?))?'; // optional, may hold '/', shortest wins
    else if (/^\{[^}]+\}$/.test(seg)) pattern += '/[^/]+';
    else {
      literals++;
      pattern += `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    }
  }
  return { regex: new RegExp(`^${pattern}$`), literals };
}

export class OpenApiValidator {
  readonly version: string;
  readonly openapi: string;
  readonly #operations: Operation[] = [];
  readonly #doc: Json;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #explained: Map<string, string>;

  constructor(yamlText: string, options: { explained: readonly Divergence[]; amendments?: readonly Amendment[] }) {
    this.#doc = parseYaml(yamlText);
    for (const a of options.amendments ?? []) {
      const node = a.path.reduce((acc: Json, p: string) => acc?.[p], this.#doc);
      if (!node || !Array.isArray(node.enum)) throw new Error(`amendment ${a.path.join('/')}: no enum there (the document changed?)`);
      node.enum = [...node.enum, ...a.addEnum.filter((v) => !node.enum.includes(v))];
    }
    this.version = String(this.#doc?.info?.version ?? 'unknown');
    this.openapi = String(this.#doc?.openapi ?? 'unknown');
    this.#explained = new Map(options.explained.map((d) => [d.key, d.reason]));
    // strict: false lets OpenAPI's annotation keywords (example, ...) pass; formats are checked.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    for (const f of ['int32', 'int64', 'float', 'double', 'binary', 'byte']) this.#ajv.addFormat(f, true);
    this.#ajv.addSchema({ $id: 'openapi:doc', components: honourNullable(this.#doc.components ?? {}) });
    for (const [template, item] of Object.entries<Json>(this.#doc.paths ?? {})) {
      const { regex, literals } = templateRegex(template);
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        this.#operations.push({
          id: op.operationId ?? `${method} ${template}`, method, template, regex, literals, responses: op.responses ?? {},
          parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])], requestBody: op.requestBody,
        });
      }
    }
  }

  reasonFor(key: string): string | undefined {
    return this.#explained.get(key);
  }

  get operationIds(): string[] {
    return this.#operations.map((o) => o.id);
  }

  #resolve(node: Json): Json {
    let n = node;
    for (let i = 0; i < 10 && n && typeof n.$ref === 'string'; i++) {
      const parts = n.$ref.replace(/^#\//, '').split('/');
      n = parts.reduce((acc: Json, p: string) => acc?.[p], this.#doc);
    }
    return n;
  }

  #validatorFor(schema: Json): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = this.#compiled.get(key);
    if (!v) {
      // Rewrite local refs to point into the registered document.
      const rewritten = JSON.parse(key.replace(/"\$ref":"#\//g, '"$ref":"openapi:doc#/'));
      v = this.#ajv.compile(honourNullable(rewritten));
      this.#compiled.set(key, v);
    }
    return v;
  }

  /** The operation for a method and path (after /v1), or null. */
  operationFor(method: string, path: string): Operation | null {
    const m = method.toLowerCase();
    const candidates = this.#operations.filter((o) => o.regex.test(path));
    if (candidates.length === 0) return null;
    const pick = (want: string) => candidates.filter((o) => o.method === want)
      .sort((a, b) => (b.literals - a.literals) || ((a.regex.exec(path)?.groups?.prefix ?? '').length - (b.regex.exec(path)?.groups?.prefix ?? '').length))[0];
    return pick(m) ?? (m === 'head' ? pick('get') ?? null : null);
  }

  #schemaErrors(schema: Json, body: string | null): string | null {
    if (body === null) return 'body was not recorded (binary or too large) but the document gives a JSON schema';
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return `body is not JSON: ${body.slice(0, 120)}`;
    }
    const validate = this.#validatorFor(schema);
    if (validate(value)) return null;
    return this.#ajv.errorsText(validate.errors, { dataVar: 'body' });
  }

  #errorProblems(a: RecordedAnswer): string | null {
    const ct = (a.headers['content-type'] ?? '').split(';')[0].trim();
    if (a.method === 'HEAD') return null; // no body to check
    if (ct !== 'application/json') return `error answer with Content-Type ${JSON.stringify(ct)}, not application/json`;
    const bad = this.#schemaErrors({ $ref: '#/components/schemas/ErrorResponse' }, a.body);
    if (bad) return `error body is not an ErrorResponse: ${bad}`;
    const requestId = JSON.parse(a.body as string).error.request_id;
    if (requestId !== a.headers['x-request-id']) {
      return `error.request_id ${JSON.stringify(requestId)} is not the X-Request-Id header ${JSON.stringify(a.headers['x-request-id'])}`;
    }
    return null;
  }

  /**
   * Why a request does not conform to the document, or null: its operation
   * exists; every query parameter is declared (or named in `extraQuery` as
   * `<operationId> <name>`, a deliberate divergence) and valid under its
   * schema; headers the document describes (Idempotency-Key) are valid and
   * sent only where declared; a JSON body is valid under the requestBody
   * schema, and a required body is present.
   */
  checkRequest(r: SentRequest, extraQuery: readonly string[] = []): string | null {
    const url = new URL(r.url);
    const at = url.pathname.indexOf('/v1/');
    if (at === -1) return `${r.method} ${r.url}: not under /v1/`;
    const apiPath = url.pathname.slice(at + 3);
    const op = this.operationFor(r.method, apiPath);
    const where = `${r.method} ${apiPath}`;
    if (!op) return `${where}: no operation of the document`;
    const params = op.parameters.map((p) => this.#resolve(p));
    for (const [name, value] of url.searchParams) {
      const p = params.find((q) => q?.in === 'query' && q.name === name);
      if (!p) {
        if (extraQuery.includes(`${op.id} ${name}`)) continue;
        return `${op.id}: query parameter ${name} is not declared`;
      }
      const schema = p.schema ?? {};
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value)
        : schema.type === 'boolean' ? (value === 'true' ? true : value === 'false' ? false : value) : value;
      const validate = this.#validatorFor(schema);
      if (!validate(typed)) return `${op.id}: query ${name}=${value}: ${this.#ajv.errorsText(validate.errors)}`;
    }
    for (const p of params) {
      if (p?.in === 'query' && p.required === true && !url.searchParams.has(p.name)) return `${op.id}: required query parameter ${p.name} is missing`;
    }
    const headerNames = Object.keys(r.headers).map((h) => h.toLowerCase());
    for (const p of params.filter((q) => q?.in === 'header')) {
      const key = Object.keys(r.headers).find((h) => h.toLowerCase() === String(p.name).toLowerCase());
      if (key === undefined) continue;
      const validate = this.#validatorFor(p.schema ?? {});
      if (!validate(r.headers[key])) return `${op.id}: header ${p.name}: ${this.#ajv.errorsText(validate.errors)}`;
    }
    if (headerNames.includes('idempotency-key') && !params.some((q) => q?.in === 'header' && String(q.name).toLowerCase() === 'idempotency-key')) {
      return `${op.id}: sends Idempotency-Key, which the document does not declare for it`;
    }
    const body = this.#resolve(op.requestBody);
    const contentType = Object.entries(r.headers).find(([h]) => h.toLowerCase() === 'content-type')?.[1]?.split(';')[0].trim();
    if (contentType !== undefined && body?.content && !body.content[contentType]) {
      return `${op.id}: Content-Type ${contentType} is not one the document lists (${Object.keys(body.content).join(', ')})`;
    }
    if (r.body !== null && r.body !== undefined) {
      const schema = body?.content?.['application/json']?.schema;
      if (!schema) return `${op.id}: sends a JSON body the document does not describe`;
      const validate = this.#validatorFor(schema);
      if (!validate(r.body)) return `${op.id}: body ${this.#ajv.errorsText(validate.errors, { dataVar: 'body' })}`;
    } else if (body?.required === true && contentType === undefined) {
      return `${op.id}: the document requires a body; none was sent`;
    }
    return null;
  }

  check(answers: readonly RecordedAnswer[]): ConformanceReport {
    const report: ConformanceReport = {
      checked: 0, covered: new Map(), uncovered: [], outside: new Map(), explained: new Map(), failures: [],
    };
    for (const a of answers) {
      if (a.path === null) continue; // not an API answer (a host app's own route)
      report.checked++;
      const op = this.operationFor(a.method, a.path);
      const fail = (operation: string, problem: string) => report.failures.push({ answer: a, operation, problem });
      if (!op) {
        const key = `${a.method} ${a.path.replace(/\/[^/]+/g, (s, i) => (i === 0 ? s : '/…'))}`;
        if (!report.outside.has(key)) report.outside.set(key, new Set());
        report.outside.get(key)?.add(a.status);
        if (a.status < 400) fail('(none)', `a ${a.status} answer to a path or method the document does not have`);
        else {
          const p = this.#errorProblems(a);
          if (p) fail('(none)', p);
        }
        continue;
      }
      if (!report.covered.has(op.id)) report.covered.set(op.id, new Set());
      report.covered.get(op.id)?.add(a.status);
      const declared = op.responses[String(a.status)];
      if (a.status >= 400) {
        const p = this.#errorProblems(a);
        if (p) {
          fail(op.id, p);
          continue;
        }
      }
      if (declared === undefined) {
        const code = a.status >= 400 && a.body ? errorCodeOf(a.body) : undefined;
        const keys = [`${op.id} ${a.status} ${code}`, `${op.id} ${a.status}`, `* ${a.status} ${code}`, `* ${a.status}`];
        const key = keys.find((k) => this.#explained.has(k));
        if (key === undefined) {
          fail(op.id, a.status < 400
            ? `status ${a.status} is not listed for ${op.id} (lists ${Object.keys(op.responses).join(', ')})`
            : `error status ${a.status} (${code}) is not listed for ${op.id} and no reason is written down for it`);
        } else {
          if (!report.explained.has(key)) report.explained.set(key, new Set());
          report.explained.get(key)?.add(`${op.id} ${a.status}${code ? ` ${code}` : ''}`);
        }
        continue;
      }
      const response = this.#resolve(declared);
      const content: Record<string, Json> | undefined = response?.content;
      const ct = (a.headers['content-type'] ?? '').split(';')[0].trim();
      if (a.method === 'HEAD' || a.via === 'upgrade' && a.status === 101) continue;
      if (!content) {
        if (a.bodyBytes !== 0) fail(op.id, `status ${a.status} is listed without content, but the answer has a ${a.bodyBytes}-byte body`);
        continue;
      }
      const media = content[ct];
      if (!media) {
        fail(op.id, `Content-Type ${JSON.stringify(ct)} is not listed for ${a.status} (lists ${Object.keys(content).join(', ')})`);
        continue;
      }
      if (ct === 'application/json' && media.schema) {
        const bad = this.#schemaErrors(media.schema, a.body);
        if (bad) fail(op.id, `${a.status} body does not match its schema: ${bad}`);
      }
      for (const [name, header] of Object.entries<Json>(response.headers ?? {})) {
        const h = this.#resolve(header);
        // Stricter than OpenAPI (headers are optional unless required): a header the document
        // describes for this answer (Location on 201s) is one clients may rely on, so it must be sent.
        if (a.headers[name.toLowerCase()] === undefined) fail(op.id, `${h?.required === true ? 'required' : 'documented'} header ${name} is missing`);
      }
    }
    report.uncovered = this.operationIds.filter((id) => !report.covered.has(id));
    return report;
  }
}

/** A readable summary of a report. */
export function formatReport(r: ConformanceReport, validator: OpenApiValidator): string {
  const lines = [`OpenAPI ${validator.openapi} document version ${validator.version}: ${r.checked} answers checked`];
  lines.push(`covered operations (${r.covered.size}/${validator.operationIds.length}):`);
  for (const [id, statuses] of [...r.covered].sort()) lines.push(`  ${id}: ${[...statuses].sort().join(', ')}`);
  lines.push(`not exercised: ${r.uncovered.join(', ') || '(none)'}`);
  if (r.outside.size > 0) {
    lines.push('answers outside the document (errors carrying ErrorResponse):');
    for (const [k, statuses] of [...r.outside].sort()) lines.push(`  ${k}: ${[...statuses].sort().join(', ')}`);
  }
  if (r.explained.size > 0) {
    lines.push('undeclared statuses, each explained by a written-down reason:');
    for (const [k, seen] of [...r.explained].sort()) {
      lines.push(`  ${k} -> ${[...seen].sort().join('; ')}`);
      lines.push(`      why: ${validator.reasonFor(k)}`);
    }
  }
  lines.push(`failures: ${r.failures.length}`);
  const seen = new Set<string>();
  for (const f of r.failures) {
    const key = `${f.operation}|${f.problem}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`  [${f.answer.suite}] ${f.answer.method} /v1${f.answer.path}${f.answer.query ? `?${f.answer.query}` : ''} -> ${f.answer.status} (${f.operation}): ${f.problem}`);
    if (seen.size > 60) {
      lines.push('  ...');
      break;
    }
  }
  return lines.join('\n');
}
