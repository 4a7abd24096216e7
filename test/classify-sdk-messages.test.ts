// Errors from the official @boxlite-ai/boxlite SDK: plain `Error`s with code
// "GenericFailure" whose only structure is BoxLite's message prefix
// (rest-client-trace.md §6). Two halves: the texts §6 lists, and the same
// errors produced live by the real SDK against a scripted server on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOXLITE_MESSAGE_PREFIXES, classifyError } from '../lib/errors/classify';
import { BoxliteErrorCode } from '../lib/errors/errors';
import { httpRowForBoxliteCode } from '../lib/errors/http-table';

type Expected = { status: number; type: string; code: string };
const row = (boxliteCode: BoxliteErrorCode): Expected => {
  const r = httpRowForBoxliteCode(boxliteCode);
  return { status: r.status, type: r.type, code: r.code };
};
const sdkError = (message: string) => Object.assign(new Error(message), { code: 'GenericFailure' });

describe('every BoxLite Display prefix classifies as its code', () => {
  // Display texts of BoxLite's `BoxliteError` (src/shared/src/errors.rs).
  const DISPLAY: ReadonlyArray<readonly [string, BoxliteErrorCode]> = [
    ['internal error: x', BoxliteErrorCode.Internal],
    ['box not found: x', BoxliteErrorCode.NotFound],
    ['already exists: x', BoxliteErrorCode.AlreadyExists],
    ['invalid state: x', BoxliteErrorCode.InvalidState],
    ['invalid argument: x', BoxliteErrorCode.InvalidArgument],
    ['configuration error: x', BoxliteErrorCode.Config],
    ['storage error: x', BoxliteErrorCode.Storage],
    ['images error: x', BoxliteErrorCode.Image],
    ['network error: x', BoxliteErrorCode.Network],
    ['Execution error: x', BoxliteErrorCode.Execution],
    ['stopped: x', BoxliteErrorCode.Stopped],
    ['engine reported an error: x', BoxliteErrorCode.Engine],
    ['unsupported: x', BoxliteErrorCode.Unsupported],
    ['database error: x', BoxliteErrorCode.Database],
    ['portal error: x', BoxliteErrorCode.Portal],
    ['gRPC/tonic error: x', BoxliteErrorCode.Rpc],
    ['gRPC transport error: x', BoxliteErrorCode.RpcTransport],
    ['metadata error: x', BoxliteErrorCode.Metadata],
    ['unsupported engine kind', BoxliteErrorCode.UnsupportedEngine],
    ['resource exhausted: x', BoxliteErrorCode.ResourceExhausted],
    ['session reaped: x', BoxliteErrorCode.SessionReaped],
  ];

  it('covers all 21 codes, and matches the exported prefix list', () => {
    expect(new Set(DISPLAY.map(([, c]) => c)).size).toBe(21);
    expect(BOXLITE_MESSAGE_PREFIXES.map(([, c]) => c).sort((a, b) => a - b)).toEqual(DISPLAY.map(([, c]) => c).sort((a, b) => a - b));
  });

  it.each(DISPLAY)('%s', (message, boxliteCode) => {
    expect(classifyError(sdkError(message))).toMatchObject({ ...row(boxliteCode), message });
  });

  it('a bare prefix with an empty detail still counts ("box not found: ")', () => {
    expect(classifyError(sdkError('box not found: '))).toMatchObject(row(BoxliteErrorCode.NotFound));
  });
});

// rest-client-trace.md §6: what callers of the official SDK catch.
// [what the server sent, err.message, expected classification]
const SECTION_6: ReadonlyArray<readonly [string, string, Expected]> = [
  ['400 invalid_argument', "invalid argument: spawn_failed: User 'bogus' not found in /etc/passwd", row(BoxliteErrorCode.InvalidArgument)],
  ['404 not_found', 'box not found: execution e-1 not found', row(BoxliteErrorCode.NotFound)],
  ['409 invalid_state', 'invalid state: box is stopping', row(BoxliteErrorCode.InvalidState)],
  ['409 already_exists', 'already exists: box named web', row(BoxliteErrorCode.AlreadyExists)],
  ['410 session_reaped', 'session reaped: execution e-1', row(BoxliteErrorCode.SessionReaped)],
  ['429 resource_exhausted', 'resource exhausted: too many boxes', row(BoxliteErrorCode.ResourceExhausted)],
  ['500 internal', 'internal error: database locked', row(BoxliteErrorCode.Internal)],
  ['503 engine_unavailable', 'engine reported an error: vmm crashed', row(BoxliteErrorCode.Engine)],
  // The SDK maps its *own* credential rejection to Config ("auth: ").
  // Decision: that stays 500 config_error. The credential is this server's
  // configuration towards its upstream, not the caller's; answering 401 would
  // tell our caller to fix credentials that are fine.
  ['401 unauthenticated', 'configuration error: auth: token expired', row(BoxliteErrorCode.Config)],
  ['403 permission_denied', 'configuration error: auth: not allowed', row(BoxliteErrorCode.Config)],
  ['bare 401 text', 'configuration error: auth: unauthorized (HTTP 401): who', row(BoxliteErrorCode.Config)],
  ['bare 403 text', 'configuration error: auth: forbidden (HTTP 403): no', row(BoxliteErrorCode.Config)],
  ['422 image_pull_failed', 'images error: manifest unknown', row(BoxliteErrorCode.Image)],
  ['unknown code (418 teapot)', "internal error: HTTP 418 I'm a teapot: tea", row(BoxliteErrorCode.Internal)],
  ['envelope without type (400)', 'internal error: HTTP 400 Bad Request: {"error":{"message":"m","code":"invalid_argument"}}', row(BoxliteErrorCode.Internal)],
  ['bare 500 text', 'internal error: HTTP 500 Internal Server Error: oops', row(BoxliteErrorCode.Internal)],
  ['bare 502 empty', 'network error: upstream returned HTTP 502 Bad Gateway (no error envelope; likely a proxy or load balancer in front of the server). Body: <empty>', row(BoxliteErrorCode.Network)],
  ['bare 503 text', 'network error: upstream returned HTTP 503 Service Unavailable (no error envelope; likely a proxy or load balancer in front of the server). Body: down', row(BoxliteErrorCode.Network)],
  ['bare 404 text', 'box not found: nope', row(BoxliteErrorCode.NotFound)],
  ['connection refused', 'network error: connect failed reaching http://127.0.0.1:1/v1/boxes: error sending request for url (http://127.0.0.1:1/v1/boxes)', row(BoxliteErrorCode.Network)],
  ['capability off', 'unsupported: Remote server does not support snapshots operations', row(BoxliteErrorCode.Unsupported)],
  ['capability not advertised', 'unsupported: Remote server did not advertise Linux capabilities capability', row(BoxliteErrorCode.Unsupported)],
  ['409 stopped', 'stopped: Handle invalidated after stop(). Use runtime.get() to get a new handle.', row(BoxliteErrorCode.Stopped)],
  ['422 execution_failed', 'Execution error: exit 127', row(BoxliteErrorCode.Execution)],
  ['500 storage_error', 'storage error: disk full', row(BoxliteErrorCode.Storage)],
  ['500 database_error', 'database error: locked', row(BoxliteErrorCode.Database)],
  ['500 metadata_error', 'metadata error: corrupt', row(BoxliteErrorCode.Metadata)],
  ['503 upstream_unavailable', 'portal error: guest unreachable', row(BoxliteErrorCode.Portal)],
  // `timeout` comes back as Internal "server timed out: ": it stays Internal
  // (500); none of the three fallbacks is about timeouts.
  ['504 timeout', 'internal error: server timed out: slow', row(BoxliteErrorCode.Internal)],
  ['parse failure', 'internal error: failed to parse response: EOF while parsing a value at line 1 column 0\n--- response body (0 bytes) ---\n\n--- end ---', row(BoxliteErrorCode.Internal)],
  // Internal fallbacks apply to the prefix-classified Internal too.
  ['500 internal (missing binary)', "internal error: spawn_failed: executable 'nosuch' not found in $PATH", row(BoxliteErrorCode.Execution)],
  ['500 internal (unknown user)', "internal error: spawn_failed: User 'bob' not found in /run/bundle/rootfs/etc/passwd", row(BoxliteErrorCode.InvalidArgument)],
];

describe('rest-client-trace.md §6 texts', () => {
  it.each(SECTION_6)('%s', (_sent, message, expected) => {
    expect(classifyError(sdkError(message))).toEqual({
      ...expected, message, retryable: expected.status === 429 || expected.status === 503,
    });
  });
});

// --- live: the real official client against a scripted loopback server -----

interface Scripted { status: number; contentType: string; body: string }
interface SdkModule {
  JsBoxlite: { rest(opts: unknown): SdkRuntime };
  BoxliteRestOptions: new (o: { url: string }) => unknown;
}
interface SdkRuntime { create(opts: { image: string }): Promise<unknown>; readonly images: unknown }

const envelope = (status: number, type: string, code: string, message: string): Scripted =>
  ({ status, contentType: 'application/json', body: JSON.stringify({ error: { message, type, code } }) });
const text = (status: number, body: string): Scripted => ({ status, contentType: 'text/plain', body });

// [scripted answer, what err.message starts with, expected classification]
const LIVE: ReadonlyArray<readonly [string, Scripted, string, Expected]> = [
  ['400 invalid_argument', envelope(400, 'InvalidArgumentError', 'invalid_argument', "spawn_failed: User 'bogus' not found in /etc/passwd"), 'invalid argument: ', row(BoxliteErrorCode.InvalidArgument)],
  ['400 unsupported', envelope(400, 'UnsupportedError', 'unsupported', 'no gpu'), 'unsupported: ', row(BoxliteErrorCode.Unsupported)],
  ['404 not_found', envelope(404, 'NotFoundError', 'not_found', 'no such box'), 'box not found: ', row(BoxliteErrorCode.NotFound)],
  ['409 already_exists', envelope(409, 'AlreadyExistsError', 'already_exists', 'web'), 'already exists: ', row(BoxliteErrorCode.AlreadyExists)],
  ['409 invalid_state', envelope(409, 'InvalidStateError', 'invalid_state', 'stopping'), 'invalid state: ', row(BoxliteErrorCode.InvalidState)],
  ['409 stopped', envelope(409, 'StoppedError', 'stopped', 'runtime shut down'), 'stopped: ', row(BoxliteErrorCode.Stopped)],
  ['410 session_reaped', envelope(410, 'SessionReapedError', 'session_reaped', 'e-1'), 'session reaped: ', row(BoxliteErrorCode.SessionReaped)],
  ['422 image_pull_failed', envelope(422, 'ImageError', 'image_pull_failed', 'manifest unknown'), 'images error: ', row(BoxliteErrorCode.Image)],
  ['422 execution_failed', envelope(422, 'ExecutionError', 'execution_failed', 'exit 127'), 'Execution error: ', row(BoxliteErrorCode.Execution)],
  ['429 resource_exhausted', envelope(429, 'ResourceExhaustedError', 'resource_exhausted', 'quota'), 'resource exhausted: ', row(BoxliteErrorCode.ResourceExhausted)],
  ['500 internal', envelope(500, 'InternalError', 'internal', 'db locked'), 'internal error: ', row(BoxliteErrorCode.Internal)],
  ['500 internal, missing binary', envelope(500, 'InternalError', 'internal', "spawn_failed: internal error: executable 'nosuch' not found in $PATH"), 'internal error: spawn_failed', row(BoxliteErrorCode.Execution)],
  ['500 internal, unknown group', envelope(500, 'InternalError', 'internal', "spawn_failed: internal error: Group 'g' not found in /run/bundle/rootfs/etc/group"), 'internal error: spawn_failed', row(BoxliteErrorCode.InvalidArgument)],
  ['500 config_error', envelope(500, 'ConfigError', 'config_error', 'bad home'), 'configuration error: ', row(BoxliteErrorCode.Config)],
  ['500 storage_error', envelope(500, 'StorageError', 'storage_error', 'disk'), 'storage error: ', row(BoxliteErrorCode.Storage)],
  ['500 database_error', envelope(500, 'DatabaseError', 'database_error', 'locked'), 'database error: ', row(BoxliteErrorCode.Database)],
  ['500 metadata_error', envelope(500, 'MetadataError', 'metadata_error', 'corrupt'), 'metadata error: ', row(BoxliteErrorCode.Metadata)],
  ['503 network_unavailable', envelope(503, 'NetworkError', 'network_unavailable', 'no route'), 'network error: ', row(BoxliteErrorCode.Network)],
  ['503 engine_unavailable', envelope(503, 'EngineError', 'engine_unavailable', 'vmm'), 'engine reported an error: ', row(BoxliteErrorCode.Engine)],
  ['503 upstream_unavailable', envelope(503, 'UpstreamUnavailableError', 'upstream_unavailable', 'guest'), 'portal error: ', row(BoxliteErrorCode.Portal)],
  ['401 unauthenticated', envelope(401, 'AuthError', 'unauthenticated', 'expired'), 'configuration error: auth: ', row(BoxliteErrorCode.Config)],
  ['403 permission_denied', envelope(403, 'AuthError', 'permission_denied', 'scope'), 'configuration error: auth: ', row(BoxliteErrorCode.Config)],
  ['504 timeout', envelope(504, 'TimeoutError', 'timeout', 'slow'), 'internal error: server timed out: ', row(BoxliteErrorCode.Internal)],
  ['418 unknown code', envelope(418, 'TeapotError', 'teapot', 'tea'), 'internal error: ', row(BoxliteErrorCode.Internal)],
  ['bare 404 text', text(404, 'nope'), 'box not found: nope', row(BoxliteErrorCode.NotFound)],
  ['bare 401 text', text(401, 'who'), 'configuration error: auth: unauthorized (HTTP 401)', row(BoxliteErrorCode.Config)],
  ['bare 500 text', text(500, 'oops'), 'internal error: HTTP 500', row(BoxliteErrorCode.Internal)],
  ['bare 502 empty', text(502, ''), 'network error: upstream returned HTTP 502', row(BoxliteErrorCode.Network)],
  ['bare 503 text', text(503, 'down'), 'network error: upstream returned HTTP 503', row(BoxliteErrorCode.Network)],
];

describe('live official-SDK errors', () => {
  let sdk: SdkModule;
  let server: http.Server;
  let url: string;
  let next: Scripted = text(500, 'unset');

  beforeAll(async () => {
    sdk = await import('@boxlite-ai/boxlite') as unknown as SdkModule;
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(next.status, { 'content-type': next.contentType });
        res.end(next.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  const caught = async (f: () => unknown): Promise<Error> => {
    try {
      await f();
    } catch (e) {
      return e as Error;
    }
    throw new Error('the SDK call did not fail');
  };

  it.each(LIVE)('%s', async (_label, scripted, startsWith, expected) => {
    next = scripted;
    const runtime = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url }));
    const err = await caught(() => runtime.create({ image: 'alpine' }));
    // What the SDK gives its callers: a plain Error, only a message prefix.
    expect(err.constructor.name).toBe('Error');
    expect((err as { code?: unknown }).code).toBe('GenericFailure');
    expect(err.message.startsWith(startsWith)).toBe(true);
    expect(classifyError(err)).toEqual({
      ...expected, message: err.message, retryable: expected.status === 429 || expected.status === 503,
    });
  });

  it('connection refused', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const runtime = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: `http://127.0.0.1:${port}` }));
    const err = await caught(() => runtime.create({ image: 'alpine' }));
    expect(err.message.startsWith('network error: ')).toBe(true);
    expect(classifyError(err)).toMatchObject({ status: 503, code: 'network_unavailable', retryable: true });
  });

  it('images over REST are unsupported', async () => {
    const runtime = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url }));
    const err = await caught(() => runtime.images);
    expect(err.message).toBe('unsupported: Image operations not supported over REST API');
    expect(classifyError(err)).toMatchObject({ status: 400, type: 'UnsupportedError', code: 'unsupported' });
  });
});
