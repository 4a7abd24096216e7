#!/usr/bin/env node
"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
// `boxlite-native serve`: BoxLite's REST API v1 on a local port, over
// libboxlite (default) or the test engine (`--engine test`, host processes,
// NO isolation: tests and local development only).
//
// Authentication is always an explicit choice, never an accident:
//   --auth none            no authentication (refused off loopback unless said explicitly)
//   --auth token=SECRET    Bearer SECRET required (prefer BOXLITE_API_KEY: argv is visible in ps)
//   (no --auth)            BOXLITE_API_KEY set -> Bearer that key required;
//                          unset -> no authentication, allowed on loopback only, with a warning.
const node_fs_1 = require("node:fs");
const node_http_1 = require("node:http");
const node_os_1 = require("node:os");
const path = __importStar(require("node:path"));
const node_util_1 = require("node:util");
const http_1 = require("./http");
const runtime_1 = require("./runtime");
const testing_1 = require("./testing");
const USAGE = `Usage: boxlite-native serve [options]

Serves BoxLite's REST API v1 (the API the official BoxLite SDKs and CLI speak).

Options:
  --port N           TCP port (default 8100)
  --host H           address to bind (default 127.0.0.1)
  --engine E         auto: libboxlite, found the usual way (default);
                     test: the bundled test engine (host processes, NOTHING isolated)
  --home DIR         BoxLite home directory (default: $BOXLITE_HOME or ~/.boxlite;
                     with --engine test a fresh temporary directory)
  --prefix P         serve under /v1/P/... ('*' accepts any prefix; default: none)
  --base-path B      mount path in front of /v1 (e.g. /api)
  --auth A           none | token=SECRET (default: Bearer $BOXLITE_API_KEY when set,
                     else none on loopback only)
  -h, --help         this text
`;
function fail(message, code = 2) {
    process.stderr.write(`boxlite-native: ${message}\n`);
    process.exit(code);
}
function warn(message) {
    process.stderr.write(`boxlite-native: WARNING: ${message}\n`);
}
function isLoopback(host) {
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
function parseServeArgs(argv) {
    let parsed;
    try {
        parsed = (0, node_util_1.parseArgs)({
            args: argv,
            options: {
                port: { type: 'string' }, host: { type: 'string' }, engine: { type: 'string' }, home: { type: 'string' },
                prefix: { type: 'string' }, 'base-path': { type: 'string' }, auth: { type: 'string' }, help: { type: 'boolean', short: 'h' },
            },
            strict: true,
            allowPositionals: false,
        });
    }
    catch (err) {
        fail(`${err.message}\n\n${USAGE}`);
    }
    const v = parsed.values;
    if (v.help) {
        process.stdout.write(USAGE);
        process.exit(0);
    }
    const port = v.port === undefined ? 8100 : Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        fail(`--port must be 0..65535, got ${v.port}`);
    const engine = v.engine ?? 'auto';
    if (engine !== 'auto' && engine !== 'test')
        fail(`--engine must be auto or test, got ${engine}`);
    return { port, host: v.host ?? '127.0.0.1', engine, home: v.home, prefix: v.prefix, basePath: v['base-path'], auth: v.auth };
}
/** The handler's auth options, decided from --auth, BOXLITE_API_KEY and the bind address. */
function chooseAuth(args) {
    const envKey = process.env.BOXLITE_API_KEY;
    if (args.auth === 'none') {
        if (!isLoopback(args.host))
            warn(`--auth none on ${args.host}: anyone who can reach this port can run commands`);
        return { options: { auth: 'none' }, label: 'none' };
    }
    if (args.auth !== undefined) {
        if (!args.auth.startsWith('token=') || args.auth.length === 'token='.length)
            fail('--auth must be none or token=SECRET');
        return { options: { authenticate: (0, http_1.bearerTokenAuth)(args.auth.slice('token='.length)) }, label: 'bearer token (--auth)' };
    }
    if (envKey !== undefined && envKey !== '') {
        return { options: { authenticate: (0, http_1.bearerTokenAuth)(envKey) }, label: 'bearer token (BOXLITE_API_KEY)' };
    }
    if (!isLoopback(args.host)) {
        fail(`refusing to serve ${args.host} without authentication: set BOXLITE_API_KEY, or pass --auth token=... or --auth none`);
    }
    warn('no authentication (loopback only). Set BOXLITE_API_KEY to require a Bearer token.');
    return { options: { auth: 'none' }, label: 'none (loopback)' };
}
async function openRuntime(args) {
    if (args.engine === 'test') {
        warn('--engine test: commands run as HOST PROCESSES with your privileges. NOTHING IS ISOLATED. '
            + 'For tests and local development only.');
        const created = args.home === undefined;
        const home = args.home ?? (0, node_fs_1.mkdtempSync)(path.join((0, node_os_1.tmpdir)(), 'boxlite-native-serve-'));
        const runtime = await runtime_1.Runtime.open({ homeDir: home, libraryPath: (0, testing_1.testEngineLibraryPath)() });
        return { runtime, home, cleanup: () => { if (created)
                (0, node_fs_1.rmSync)(home, { recursive: true, force: true }); } };
    }
    const runtime = await runtime_1.Runtime.open(args.home === undefined ? {} : { homeDir: args.home });
    return { runtime, home: args.home ?? process.env.BOXLITE_HOME ?? '~/.boxlite', cleanup: () => undefined };
}
async function serve(argv) {
    const args = parseServeArgs(argv);
    const auth = chooseAuth(args);
    let opened;
    try {
        opened = await openRuntime(args);
    }
    catch (err) {
        const hint = args.engine === 'auto' ? '\nTo try the API without libboxlite, use --engine test (no isolation).' : '';
        fail(`cannot open the BoxLite runtime: ${err.message}${hint}`, 1);
    }
    const { runtime, home, cleanup } = opened;
    let handler;
    try {
        handler = (0, http_1.createBoxliteHandler)(runtime, {
            ...auth.options,
            pathPrefix: args.prefix,
            basePath: args.basePath,
        });
    }
    catch (err) {
        await runtime.close();
        cleanup();
        fail(err.message);
    }
    const server = (0, node_http_1.createServer)(handler);
    (0, http_1.attachBoxliteUpgrade)(server, handler);
    server.on('error', (err) => {
        process.stderr.write(`boxlite-native: ${err.message}\n`);
        void shutdown(1);
    });
    let stopping = false;
    async function shutdown(code) {
        if (stopping)
            return;
        stopping = true;
        server.close();
        server.closeAllConnections();
        await handler.close();
        await runtime.close();
        cleanup();
        process.exit(code);
    }
    process.once('SIGINT', () => void shutdown(0));
    process.once('SIGTERM', () => void shutdown(0));
    server.listen(args.port, args.host, () => {
        const addr = server.address();
        const port = typeof addr === 'object' && addr !== null ? addr.port : args.port;
        const hostShown = args.host.includes(':') ? `[${args.host}]` : args.host;
        const prefix = args.prefix ? `${args.prefix}/` : '';
        process.stdout.write(`boxlite-native: serving BoxLite REST API v1 at http://${hostShown}:${port}${args.basePath ?? ''}/v1/${prefix}\n`
            + `  engine: ${args.engine}   home: ${home}   auth: ${auth.label}\n`);
    });
}
async function main(argv) {
    const [command, ...rest] = argv;
    if (command === 'serve')
        return serve(rest);
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
        process.stdout.write(USAGE);
        return;
    }
    fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
}
main(process.argv.slice(2)).catch((err) => fail(err instanceof Error ? err.stack ?? err.message : String(err), 1));
//# sourceMappingURL=cli.js.map