#!/usr/bin/env node
// `boxlite-native serve`: BoxLite's REST API v1 on a local port, over
// libboxlite (default) or the test engine (`--engine test`, host processes,
// NO isolation: tests and local development only).
//
// Authentication is always an explicit choice, never an accident:
//   --auth none            no authentication (refused off loopback unless said explicitly)
//   --auth token=SECRET    Bearer SECRET required (prefer BOXLITE_API_KEY: argv is visible in ps)
//   (no --auth)            BOXLITE_API_KEY set -> Bearer that key required;
//                          unset -> no authentication, allowed on loopback only, with a warning.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { type BoxliteHandlerOptions, attachBoxliteServerEvents, attachBoxliteUpgrade, bearerTokenAuth, createBoxliteHandler } from './http';
import { httpError } from './http/protocol/http-error';
import { rejectUpgrade } from './http/exec/attach';
import { sweepStaleStaging } from './http/files/staging-owner';
import { eraseFromEnvironBlock } from './environ-scrub';
import { normalizeBasePath } from './http/routing/paths';
import { Runtime } from './runtime/runtime';
import type { ExecutionLimits, Runtime as RuntimeType } from './runtime/runtime-types';
import { testEngineLibraryPath } from './testing';
import {
  OBSERVABILITY_OPTIONS, OBSERVABILITY_USAGE, type Observability, type ObservabilityArgs, openObservability,
  parseObservabilityArgs,
} from './observability/cli-observability';

/** Numeric createBoxliteHandler options settable with --limit NAME=N (see README "Limits and guarantees"). */
const LIMIT_NAMES = [
  'jsonLimit', 'filesLimit', 'maxExtractedBytes', 'maxDownloadStagingBytes', 'maxExecutions', 'maxExecutionsPerBox',
  'maxBoxes', 'maxAttachSockets', 'maxFileTransfers', 'pingIntervalMs', 'pongTimeoutMs', 'execIdleTimeoutMs',
  'execReapGraceMs', 'maxBufferedOutputBytes', 'maxErrorFramesPerSocket', 'maxBufferedOutputTotalBytes',
] as const;
type LimitName = typeof LIMIT_NAMES[number];

const USAGE = `Usage: boxlite-native serve [options]
       boxlite-native --version

Serves BoxLite's REST API v1 (the API the official BoxLite SDKs and CLI speak).

Options:
  --port N           TCP port (default 8100)
  --host H           address to bind (default 127.0.0.1)
  --engine E         auto: libboxlite, found the usual way (default);
                     test: the bundled test engine (host processes, NOTHING isolated)
  --library PATH     libboxlite to load (default: $BOXLITE_LIBRARY, then the usual search);
                     not with --engine test
  --home DIR         BoxLite home directory (default: $BOXLITE_HOME or ~/.boxlite;
                     with --engine test a fresh temporary directory)
  --prefix P         the {prefix} slot of /v1/{prefix}/...: a fixed prefix (e.g. us-east/team-42),
                     '*' for any prefix or none (the default, so a client's pathPrefix just works),
                     or 'none' for no prefix at all
  --base-path B      mount path in front of /v1 (e.g. /api; a trailing '/' is ignored)
  --auth A           none | token=SECRET (default: Bearer $BOXLITE_API_KEY when set,
                     else none on loopback only). token=SECRET is visible to every
                     local user in ps: prefer BOXLITE_API_KEY
  --api-key-file F   require Bearer <the contents of file F> (whitespace around it ignored): the key
                     is then never in the server's environment
  --allowed-hosts L  comma-separated Host names answered besides loopback/localhost on this port
                     (name, name:port, .domain for subdomains, IP literal; '*' = no Host check).
                     Without authentication only loopback/localhost are answered by default.
  --allowed-origins L
                     comma-separated web origins allowed to call the API (e.g. http://localhost:3000);
                     default none: requests from web pages on other origins get 403
  --limit NAME=N     set a numeric handler limit (repeatable), e.g. --limit maxExecutions=100
                     --limit filesLimit=268435456; names: see the README, "Limits and guarantees"
  --max-buffered-output SIZE   unread output kept in memory per execution (default 8M)
  --max-spilled-output SIZE    unread output spilled to disk per execution past that;
                               beyond, the execution is killed (default 1G; 0 = no spill)
  --max-runtime-buffered-output SIZE  unread output in memory, all executions (default 64M)
  --max-runtime-spilled-output SIZE   unread output spilled to disk, all executions; past it,
                                      an execution that would spill is killed (default 2G)
  --spill-dir DIR              where spill files go (default: the temp dir)
  --max-stdin SIZE             stdin bytes accepted per execution (default 64M)
                               (SIZE: bytes, or with a K/M/G suffix, powers of 1024)
${OBSERVABILITY_USAGE}  -h, --help         this text
  -v, --version      the package version

Examples:
  # try it without libboxlite: the bundled test engine (host processes, NOTHING isolated)
  npx boxlite-native serve --engine test
  # real boxes: a libboxlite build, on port 8200, Bearer token from the environment
  BOXLITE_API_KEY=change-me npx boxlite-native serve --library /opt/boxlite/libboxlite.so --port 8200
  # every interface, behind a proxy that sends Host: boxlite.internal
  BOXLITE_API_KEY=change-me npx boxlite-native serve --host 0.0.0.0 --allowed-hosts boxlite.internal
  # then, from a client:
  curl http://127.0.0.1:8100/v1/config

Every failure exits with status 1 and one message on stderr. Started by npm
(a package.json script), the server stops when npm does, even if npm is killed
without forwarding the signal.
`;

/** What a usage mistake ends with, instead of the whole usage text. */
const HELP_POINTER = "Run 'boxlite-native --help' for the options and examples.";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(message: string, code = 1): never {
  process.stderr.write(`boxlite-native: ${message}\n`);
  process.exit(code);
}

/** Set once the log is open: warnings follow its format (JSON lines with --log json). */
let observability: Observability | undefined;

function warn(message: string): void {
  if (observability !== undefined) observability.warn(message);
  else process.stderr.write(`boxlite-native: WARNING: ${message}\n`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface ServeArgs {
  port: number;
  host: string;
  engine: 'auto' | 'test';
  home?: string;
  library?: string;
  prefix?: string;
  basePath?: string;
  auth?: string;
  apiKeyFile?: string;
  allowedHosts?: string[] | '*';
  allowedOrigins?: string[];
  limits: Partial<Record<LimitName, number>>;
  execLimits: ExecutionLimits;
  observability: ObservabilityArgs;
}

/** "64M" -> bytes (K/M/G are powers of 1024); fails with the flag's name. */
function parseSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([kKmMgG]?)$/.exec(value.trim());
  const bytes = m ? Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
  if (!Number.isSafeInteger(bytes)) fail(`--${flag} must be a size in bytes (e.g. 1048576, 64M, 1G), got ${value}`);
  return bytes;
}

/** The --max-* output and stdin flags: Runtime.open({ limits }). */
function parseExecLimits(v: Record<string, string | string[] | boolean | undefined>): ExecutionLimits {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const limits: ExecutionLimits = {
    maxBufferedOutputBytes: parseSize('max-buffered-output', str('max-buffered-output')),
    maxSpilledOutputBytes: parseSize('max-spilled-output', str('max-spilled-output')),
    maxRuntimeBufferedOutputBytes: parseSize('max-runtime-buffered-output', str('max-runtime-buffered-output')),
    maxRuntimeSpilledOutputBytes: parseSize('max-runtime-spilled-output', str('max-runtime-spilled-output')),
    maxStdinBytes: parseSize('max-stdin', str('max-stdin')),
    spillDir: str('spill-dir'),
  };
  for (const key of Object.keys(limits) as (keyof ExecutionLimits)[]) {
    if (limits[key] === undefined) delete limits[key];
  }
  return limits;
}

/** A repeatable, comma-separated list flag. */
function listFlag(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** --limit NAME=N: the handler's numeric limits (caps, file sizes). */
function parseLimits(raw: string[] | undefined): Partial<Record<LimitName, number>> {
  const limits: Partial<Record<LimitName, number>> = {};
  for (const item of raw ?? []) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq) as LimitName;
    const value = Number(item.slice(eq + 1));
    if (eq <= 0 || !LIMIT_NAMES.includes(name)) fail(`--limit wants NAME=N with NAME one of ${LIMIT_NAMES.join(', ')}; got ${JSON.stringify(item)}`);
    if (!Number.isFinite(value) || value <= 0) fail(`--limit ${name} must be a positive number, got ${JSON.stringify(item.slice(eq + 1))}`);
    limits[name] = value;
  }
  return limits;
}

/**
 * One line for a parseArgs refusal. Node's own text for an unknown option
 * continues with advice about positionals that does not apply here.
 */
function describeParseError(err: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument ${quoted}`;
  return err.message.split('\n')[0]!.replace(/\.$/, '');
}

function parseServeArgs(argv: string[]): ServeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, engine: { type: 'string' }, home: { type: 'string' },
        library: { type: 'string' }, version: { type: 'boolean', short: 'v' },
        prefix: { type: 'string' }, 'base-path': { type: 'string' }, auth: { type: 'string' }, 'api-key-file': { type: 'string' }, limit: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
        'allowed-hosts': { type: 'string', multiple: true }, 'allowed-origins': { type: 'string', multiple: true },
        'max-buffered-output': { type: 'string' }, 'max-spilled-output': { type: 'string' },
        'max-runtime-buffered-output': { type: 'string' }, 'max-runtime-spilled-output': { type: 'string' }, 'spill-dir': { type: 'string' }, 'max-stdin': { type: 'string' },
        ...OBSERVABILITY_OPTIONS,
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    fail(`${describeParseError(err as Error & { code?: string })}\n${HELP_POINTER}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (v.version) {
    process.stdout.write(`${packageVersion()}\n`);
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
  if (v.library !== undefined && v.library === '') fail('--library needs a path');
  if (v.library !== undefined && engine === 'test') fail('--library and --engine test exclude each other (the test engine is bundled)');
  // '/api/' and '/api' are the same mount; '/' is none. The handler would
  // accept '/api/' too, but the banner must print the URL that works.
  let basePath: string | undefined;
  try {
    basePath = v['base-path'] === undefined ? undefined : normalizeBasePath(v['base-path']) || undefined;
  } catch (err) {
    fail(`--base-path: ${(err as Error).message}`);
  }
  const observability = parseObservabilityArgs(v);
  if (typeof observability === 'string') fail(observability, 1);
  const hosts = listFlag(v['allowed-hosts']);
  const allowedHosts = hosts !== undefined && hosts.includes('*') ? '*' : hosts;
  return {
    port, host: v.host ?? '127.0.0.1', engine, home: v.home, library: v.library, prefix, basePath, auth: v.auth, apiKeyFile: v['api-key-file'],
    allowedHosts, allowedOrigins: listFlag(v['allowed-origins']), limits: parseLimits(v.limit), execLimits: parseExecLimits(v),
    observability,
  };
}

/** The handler's auth options, decided from --auth, BOXLITE_API_KEY and the bind address. */
function chooseAuth(args: ServeArgs): { options: Pick<BoxliteHandlerOptions, 'auth' | 'authenticate'>; label: string } {
  const envKey = process.env.BOXLITE_API_KEY;
  if (args.apiKeyFile !== undefined) {
    if (args.auth !== undefined) fail('--api-key-file and --auth exclude each other');
    return { options: { authenticate: bearerTokenAuth(readApiKeyFile(args.apiKeyFile)) }, label: 'bearer token (--api-key-file)' };
  }
  if (args.auth === 'none') {
    if (!isLoopback(args.host)) warn(`--auth none on ${args.host}: anyone who can reach this port can run commands`);
    return { options: { auth: 'none' }, label: 'none' };
  }
  if (args.auth !== undefined) {
    if (!args.auth.startsWith('token=') || args.auth.length === 'token='.length) fail('--auth must be none or token=SECRET');
    warn('--auth token=... puts the secret on the command line, where every local user can read it (ps, '
      + '/proc/<pid>/cmdline) and your shell history keeps it. Prefer BOXLITE_API_KEY=... in the environment.');
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

/**
 * The Host names to answer. Serving a specific non-loopback address, that
 * address is a name clients use, so it is answered too; a wildcard bind
 * (0.0.0.0, ::) has no single name, so other names need --allowed-hosts.
 */
function hostsFor(args: ServeArgs): BoxliteHandlerOptions['allowedHosts'] {
  if (args.allowedHosts === '*') return '*';
  const wildcard = args.host === '0.0.0.0' || args.host === '::';
  if (isLoopback(args.host) || wildcard) return args.allowedHosts;
  const own = args.host.includes(':') ? `[${args.host}]` : args.host;
  return [...(args.allowedHosts ?? []), own];
}

async function openRuntime(args: ServeArgs): Promise<{ runtime: RuntimeType; home: string; cleanup: () => void }> {
  if (args.engine === 'test') {
    warn('--engine test: commands run as HOST PROCESSES with your privileges. NOTHING IS ISOLATED. '
      + 'For tests and local development only.');
    const created = args.home === undefined;
    const home = args.home ?? mkdtempSync(path.join(tmpdir(), 'boxlite-native-serve-'));
    const runtime = await Runtime.open({ homeDir: home, libraryPath: testEngineLibraryPath(), limits: args.execLimits });
    return { runtime, home, cleanup: () => { if (created) rmSync(home, { recursive: true, force: true }); } };
  }
  const runtime = await Runtime.open({
    limits: args.execLimits,
    ...(args.home === undefined ? {} : { homeDir: args.home }),
    ...(args.library === undefined ? {} : { libraryPath: args.library }),
  });
  return { runtime, home: args.home ?? process.env.BOXLITE_HOME ?? '~/.boxlite', cleanup: () => undefined };
}

function readApiKeyFile(file: string): string {
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (err) {
    fail(`--api-key-file: cannot read ${file}: ${(err as Error).message}`);
  }
  if (key === '') fail(`--api-key-file: ${file} is empty`);
  return key;
}

/**
 * The addon's load errors speak to JS callers ({ libraryPath } for
 * Runtime.open); a CLI user needs the flags and the environment instead.
 */
function inCliTerms(message: string): string {
  const cut = message.indexOf('\nTwo ways forward:');
  const what = (cut === -1 ? message : message.slice(0, cut))
    .replace(/\(libraryPath option\)/g, '(--library)')
    .replace(/Point libraryPath or BOXLITE_LIBRARY/g, 'Point --library PATH (or BOXLITE_LIBRARY=PATH)');
  if (cut === -1) return what;
  const versions = /install libboxlite ([^(]+?) \(/.exec(message.slice(cut))?.[1] ?? 'a supported release';
  return `${what}\nTwo ways forward:`
    + `\n  1. Real boxes: get libboxlite ${versions} (the boxlite-c-v<version>-<platform> archives at`
    + '\n     https://github.com/boxlite-ai/boxlite/releases), then: boxlite-native serve --library /path/to/libboxlite.so'
    + '\n     (or set BOXLITE_LIBRARY=/path/to/libboxlite.so).'
    + '\n  2. No libboxlite: boxlite-native serve --engine test runs the bundled test engine'
    + '\n     (host processes: it isolates nothing; tests and local development only).';
}

/** Why listen() failed, in the user's terms: which address and port, and what to do. */
function listenFailure(err: NodeJS.ErrnoException, args: ServeArgs): string {
  const where = `${args.host.includes(':') ? `[${args.host}]` : args.host}:${args.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${args.port} is already in use on ${args.host} (another server, or an earlier boxlite-native serve, `
        + `is listening on ${where}). Stop it, or choose another port: --port ${args.port === 65535 ? 8100 : args.port + 1} `
        + '(--port 0 picks a free one).';
    case 'EACCES':
      return `not allowed to listen on ${where} (ports below 1024 need privileges). Choose a port >= 1024, e.g. --port 8100.`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${args.host} is not an address of this machine. Use --host 127.0.0.1, `
        + 'one of this machine\'s addresses, or 0.0.0.0 for all of them.';
    default:
      return `cannot listen on ${where}: ${err.message}`;
  }
}

/**
 * Base URLs a client can use. A wildcard bind (0.0.0.0, ::) is no address a
 * client can connect to: list loopback and each interface's address instead.
 */
function reachableHosts(host: string): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) return [host.includes(':') ? `[${host}]` : host];
  const hosts = [host === '::' ? '[::1]' : '127.0.0.1'];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') hosts.push(a.address);
      // `::` also accepts IPv4 (dual stack); link-local IPv6 needs a zone id clients rarely pass.
      else if (host === '::' && !a.address.toLowerCase().startsWith('fe80')) hosts.push(`[${a.address}]`);
    }
  }
  return [...new Set(hosts)];
}

/**
 * The server's secret must not reach the commands it runs: the test engine
 * spawns commands with this process's environment (as a box's init would
 * with its own), so BOXLITE_API_KEY is removed from it once read.
 * `delete process.env.X` unsets the variable in the C environment too, which
 * is what the engine copies at each exec. /proc/<pid>/environ shows the block
 * the process started with, which unsetting does not change, and any process
 * of the same user (every command of the test engine) can read it: the entry
 * is erased from that block too (environ-scrub.ts).
 */
function forgetApiKeyFromEnvironment(): void {
  const present = process.env.BOXLITE_API_KEY !== undefined;
  delete process.env.BOXLITE_API_KEY;
  if (present && !eraseFromEnvironBlock('BOXLITE_API_KEY')) {
    warn('BOXLITE_API_KEY could not be erased from this process\'s initial environment (/proc/<pid>/environ): '
      + 'processes of the same user can read it there. Prefer --api-key-file.');
  }
}

async function serve(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  // The log, and the metrics listener bound now (a taken port fails before
  // anything is opened): lib/observability/.
  try {
    observability = await openObservability(args.observability);
  } catch (err) {
    fail((err as Error).message, 1);
  }
  const obs = observability;
  const auth = chooseAuth(args);
  forgetApiKeyFromEnvironment();
  let opened;
  try {
    opened = await openRuntime(args);
  } catch (err) {
    fail(`cannot open the BoxLite runtime: ${args.engine === 'auto' ? inCliTerms((err as Error).message) : (err as Error).message}`);
  }
  const { runtime, home, cleanup } = opened;
  if (auth.options.auth === 'none' && (args.host === '0.0.0.0' || args.host === '::') && args.allowedHosts === undefined) {
    warn(`no authentication on ${args.host}: only requests naming a loopback address or localhost in Host are answered; `
      + 'list the names and addresses clients use with --allowed-hosts');
  }
  let handler;
  try {
    handler = createBoxliteHandler(runtime, {
      ...args.limits,
      ...auth.options,
      pathPrefix: args.prefix,
      basePath: args.basePath,
      allowedHosts: hostsFor(args),
      allowedOrigins: args.allowedOrigins,
      ...obs.handlerOptions(),
    });
  } catch (err) {
    await runtime.close();
    cleanup();
    fail((err as Error).message);
  }
  const metricsUrl = obs.metricsUrl;
  // requireHostHeader off: the handler answers a missing Host itself, with the envelope.
  // /healthz and /readyz are answered in front of it (lib/observability/health.ts).
  const server = createServer({ requireHostHeader: false }, obs.serve(handler, runtime));
  attachBoxliteUpgrade(server, handler);
  // Parse errors, unknown Expect and 100-continue get BoxLite answers, and a
  // flood of them cannot flood stderr (see lib/http/protocol/node-server.ts).
  const detachServerEvents = attachBoxliteServerEvents(server, obs.serverEventsOptions());
  server.on('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(`boxlite-native: ${server.listening ? err.message : listenFailure(err, args)}\n`);
    void shutdown(1);
  });

  let stopping = false;
  let serving = false;
  async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    // A stuck engine must not keep a Ctrl-C'd server alive forever.
    setTimeout(() => {
      process.stderr.write('boxlite-native: shutdown took too long; exiting\n');
      process.exit(code === 0 ? 1 : code);
    }, 10_000).unref();
    // A server that never listened ends with its one error line, not a shutdown record.
    if (serving) obs.logger.log('info', 'shutdown', { exit_code: code });
    server.close();
    server.closeAllConnections();
    try {
      await handler!.close();
      await runtime.close();
    } catch (err) {
      process.stderr.write(`boxlite-native: error during shutdown: ${(err as Error).message}\n`);
      code = code === 0 ? 1 : code;
    }
    detachServerEvents(); // writes the pending rate-limit summaries
    await obs.close();
    try { cleanup(); } catch { /* a leftover temp dir is not worth a failed exit */ }
    process.exit(code);
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGHUP', () => void shutdown(0));
  watchParent(() => void shutdown(0));

  // Staging of file transfers a killed server left behind is gone before the
  // first request (the handler sweeps too, in the background, for embedders).
  await sweepStaleStaging(tmpdir());
  server.listen(args.port, args.host, () => {
    serving = true;
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : args.port;
    const fixedPrefix = args.prefix !== undefined && args.prefix !== '*' ? `${args.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
    const prefixLabel = args.prefix === undefined ? 'none' : args.prefix === '*' ? 'any (or none)' : fixedPrefix.slice(0, -1);
    const [first, ...others] = reachableHosts(args.host).map((h) => `http://${h}:${port}${args.basePath ?? ''}/v1/${fixedPrefix}`);
    process.stdout.write(`boxlite-native: serving BoxLite REST API v1 at ${first}\n`
      + (others.length > 0 ? `  also at: ${others.join('  ')}\n` : '')
      + `  engine: ${args.engine}   home: ${home}   auth: ${auth.label}   prefix: ${prefixLabel}\n`
      + (metricsUrl === null ? '' : `  metrics: ${metricsUrl}\n`));
    obs.logger.log('info', 'startup', {
      url: first, engine: args.engine, auth: auth.label, metrics_url: metricsUrl, pid: process.pid,
    });
  });
}

/**
 * Under npm (`npm run serve`), stop when npm goes away. npm forwards SIGINT
 * and SIGTERM to its child, but a `kill -9` of npm (or of a shell between npm
 * and node) forwards nothing: the server would be re-parented and keep
 * serving. Polls the parent pid (cheap, unref'd): a change means the parent
 * died. Not done outside npm, so a deliberately backgrounded server
 * (`nohup boxlite-native serve &`) keeps running.
 */
/**
 * The parent this process was started by, read at load: serve() reaches
 * watchParent() only after opening the engine and sweeping staging, and a
 * parent killed in that time must still be noticed (read later, `ppid` would
 * already be the reaper's).
 */
const STARTED_BY = process.ppid;

function watchParent(onOrphaned: () => void): void {
  if (process.env.npm_lifecycle_event === undefined) return;
  const parent = STARTED_BY;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      process.stderr.write(`boxlite-native: the parent process (${parent}, npm) exited; stopping\n`);
      onOrphaned();
    }
  }, 500);
  timer.unref();
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (command === 'serve') return serve(rest);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  fail(`unknown command ${JSON.stringify(command)} (the command is serve)\n${HELP_POINTER}`);
}

main(process.argv.slice(2)).catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err), 1));
