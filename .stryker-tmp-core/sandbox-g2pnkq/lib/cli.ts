#!/usr/bin/env node
// @ts-nocheck
// `boxlite-native serve`: BoxLite's REST API v1 on a local port, over
// libboxlite (default) or the test engine (`--engine test`, host processes,
// NO isolation: tests and local development only).
//
// Authentication is always an explicit choice, never an accident:
//   --auth none            no authentication (refused off loopback unless said explicitly)
//   --auth token=SECRET    Bearer SECRET required (prefer BOXLITE_API_KEY: argv is visible in ps)
//   (no --auth)            BOXLITE_API_KEY set -> Bearer that key required;
//                          unset -> no authentication, allowed on loopback only, with a warning.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { type BoxliteHandlerOptions, attachBoxliteUpgrade, bearerTokenAuth, createBoxliteHandler } from './http';
import { httpError } from './http/http-error';
import { rejectUpgrade } from './http/attach';
import { Runtime } from './runtime';
import type { Runtime as RuntimeType } from './runtime-types';
import { testEngineLibraryPath } from './testing';

const USAGE = `Usage: boxlite-native serve [options]

Serves BoxLite's REST API v1 (the API the official BoxLite SDKs and CLI speak).

Options:
  --port N           TCP port (default 8100)
  --host H           address to bind (default 127.0.0.1)
  --engine E         auto: libboxlite, found the usual way (default);
                     test: the bundled test engine (host processes, NOTHING isolated)
  --home DIR         BoxLite home directory (default: $BOXLITE_HOME or ~/.boxlite;
                     with --engine test a fresh temporary directory)
  --prefix P         the {prefix} slot of /v1/{prefix}/...: a fixed prefix (e.g. us-east/team-42),
                     '*' for any prefix or none (the default, so a client's pathPrefix just works),
                     or 'none' for no prefix at all
  --base-path B      mount path in front of /v1 (e.g. /api)
  --auth A           none | token=SECRET (default: Bearer $BOXLITE_API_KEY when set,
                     else none on loopback only)
  -h, --help         this text
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`boxlite-native: ${message}\n`);
  process.exit(code);
}

function warn(message: string): void {
  process.stderr.write(`boxlite-native: WARNING: ${message}\n`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface ServeArgs {
  port: number;
  host: string;
  engine: 'auto' | 'test';
  home?: string;
  prefix?: string;
  basePath?: string;
  auth?: string;
}

function parseServeArgs(argv: string[]): ServeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, engine: { type: 'string' }, home: { type: 'string' },
        prefix: { type: 'string' }, 'base-path': { type: 'string' }, auth: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const port = v.port === undefined ? 8100 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${v.port}`);
  const engine = v.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'test') fail(`--engine must be auto or test, got ${engine}`);
  // Any prefix by default: a client configured with a pathPrefix (the official
  // client inserts it verbatim) reaches the same boxes as one without. Safe
  // because the prefix is pure routing here; tenants bind it in authorize.
  const prefix = v.prefix === undefined ? '*' : v.prefix === 'none' || v.prefix === '' ? undefined : v.prefix;
  return { port, host: v.host ?? '127.0.0.1', engine, home: v.home, prefix, basePath: v['base-path'], auth: v.auth };
}

/** The handler's auth options, decided from --auth, BOXLITE_API_KEY and the bind address. */
function chooseAuth(args: ServeArgs): { options: Pick<BoxliteHandlerOptions, 'auth' | 'authenticate'>; label: string } {
  const envKey = process.env.BOXLITE_API_KEY;
  if (args.auth === 'none') {
    if (!isLoopback(args.host)) warn(`--auth none on ${args.host}: anyone who can reach this port can run commands`);
    return { options: { auth: 'none' }, label: 'none' };
  }
  if (args.auth !== undefined) {
    if (!args.auth.startsWith('token=') || args.auth.length === 'token='.length) fail('--auth must be none or token=SECRET');
    return { options: { authenticate: bearerTokenAuth(args.auth.slice('token='.length)) }, label: 'bearer token (--auth)' };
  }
  if (envKey !== undefined && envKey !== '') {
    return { options: { authenticate: bearerTokenAuth(envKey) }, label: 'bearer token (BOXLITE_API_KEY)' };
  }
  if (!isLoopback(args.host)) {
    fail(`refusing to serve ${args.host} without authentication: set BOXLITE_API_KEY, or pass --auth token=... or --auth none`);
  }
  warn('no authentication (loopback only). Set BOXLITE_API_KEY to require a Bearer token.');
  return { options: { auth: 'none' }, label: 'none (loopback)' };
}

async function openRuntime(args: ServeArgs): Promise<{ runtime: RuntimeType; home: string; cleanup: () => void }> {
  if (args.engine === 'test') {
    warn('--engine test: commands run as HOST PROCESSES with your privileges. NOTHING IS ISOLATED. '
      + 'For tests and local development only.');
    const created = args.home === undefined;
    const home = args.home ?? mkdtempSync(path.join(tmpdir(), 'boxlite-native-serve-'));
    const runtime = await Runtime.open({ homeDir: home, libraryPath: testEngineLibraryPath() });
    return { runtime, home, cleanup: () => { if (created) rmSync(home, { recursive: true, force: true }); } };
  }
  const runtime = await Runtime.open(args.home === undefined ? {} : { homeDir: args.home });
  return { runtime, home: args.home ?? process.env.BOXLITE_HOME ?? '~/.boxlite', cleanup: () => undefined };
}

async function serve(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  const auth = chooseAuth(args);
  let opened;
  try {
    opened = await openRuntime(args);
  } catch (err) {
    const hint = args.engine === 'auto' ? '\nTo try the API without libboxlite, use --engine test (no isolation).' : '';
    fail(`cannot open the BoxLite runtime: ${(err as Error).message}${hint}`, 1);
  }
  const { runtime, home, cleanup } = opened;
  let handler;
  try {
    handler = createBoxliteHandler(runtime, {
      ...auth.options,
      pathPrefix: args.prefix,
      basePath: args.basePath,
    });
  } catch (err) {
    await runtime.close();
    cleanup();
    fail((err as Error).message);
  }
  const server = createServer(handler);
  attachBoxliteUpgrade(server, handler);
  // Requests Node cannot even parse never reach the handler; still answer
  // them with the envelope and an X-Request-Id instead of Node's bare 400.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = status === 431 ? 'invalid argument: request headers too large'
      : status === 408 ? 'request timed out before it was complete' : 'invalid argument: malformed HTTP request';
    rejectUpgrade(socket, httpError(status, message), { requestId: randomUUID() });
  });
  server.on('error', (err) => {
    process.stderr.write(`boxlite-native: ${err.message}\n`);
    void shutdown(1);
  });

  let stopping = false;
  async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    // A stuck engine must not keep a Ctrl-C'd server alive forever.
    setTimeout(() => {
      process.stderr.write('boxlite-native: shutdown took too long; exiting\n');
      process.exit(code === 0 ? 1 : code);
    }, 10_000).unref();
    server.close();
    server.closeAllConnections();
    try {
      await handler!.close();
      await runtime.close();
    } catch (err) {
      process.stderr.write(`boxlite-native: error during shutdown: ${(err as Error).message}\n`);
      code = code === 0 ? 1 : code;
    }
    try { cleanup(); } catch { /* a leftover temp dir is not worth a failed exit */ }
    process.exit(code);
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  server.listen(args.port, args.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : args.port;
    const hostShown = args.host.includes(':') ? `[${args.host}]` : args.host;
    const fixedPrefix = args.prefix !== undefined && args.prefix !== '*' ? `${args.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
    const prefixLabel = args.prefix === undefined ? 'none' : args.prefix === '*' ? 'any (or none)' : fixedPrefix.slice(0, -1);
    process.stdout.write(`boxlite-native: serving BoxLite REST API v1 at http://${hostShown}:${port}${args.basePath ?? ''}/v1/${fixedPrefix}\n`
      + `  engine: ${args.engine}   home: ${home}   auth: ${auth.label}   prefix: ${prefixLabel}\n`);
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err), 1));
