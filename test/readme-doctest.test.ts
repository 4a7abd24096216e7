// Doc-test: every ```js / ```javascript / ```mjs / ```cjs / ```ts block of
// README.md, CONTRIBUTING.md and docs/*.md runs as a user would paste it into
// a file of their project and run it with this Node (>= 20):
//   - ESM when the block has a top-level `import`/`export` (or is ```mjs),
//     CommonJS otherwise (so top-level await in CommonJS fails, as it would);
//   - TypeScript blocks are transpiled with the project's TypeScript (types are
//     erased, nothing else changes), then run the same way;
//   - in a scratch project whose node_modules has `boxlite-native` (this
//     package: dist/, as installed) and this repo's dependencies (express, ...);
//   - BOXLITE_LIBRARY points at the test engine, so a block that needs
//     libboxlite runs unchanged; BOXLITE_HOME and HOME are temp dirs;
//     BOXLITE_API_KEY is set (blocks read it the way a service does);
//   - except the README's "Quick start": there BOXLITE_LIBRARY names a file
//     that does not exist, as on a machine that installed only this package.
// A block passes when the process exits 0 (an uncaught error or unhandled
// rejection exits non-zero). Markers, on the line before the block (blank lines
// between are allowed):
//   <!-- doctest: skip (reason) -->   not run (a fragment by nature; keep rare)
//   <!-- doctest: server -->          serves until SIGINT: gets PORT, must accept
//                                     a TCP connection on it, then exit 0 after SIGINT
// Any other marker fails, so a typo never silently skips a block.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngineLibraryPath } from '../lib/testing';

const repo = path.resolve(__dirname, '..');
const README = path.join(repo, 'README.md');
/** Every Markdown file whose blocks run: the README, the contributors' guide, docs/. */
const DOCUMENTS = [
  README,
  path.join(repo, 'CONTRIBUTING.md'),
  ...fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => path.join(repo, 'docs', f)),
];
/** The README section whose blocks must run with no libboxlite at all. */
const QUICK_START = 'Quick start';
const RUN_TIMEOUT_MS = 60_000;
const LANGUAGES = new Set(['js', 'javascript', 'mjs', 'cjs', 'ts', 'typescript']);

interface Block {
  line: number; // 1-based line of the opening fence
  lang: string;
  code: string;
  heading: string;
  /** The enclosing level-2 heading ('(top)' before the first). */
  section: string;
  marker?: { kind: 'skip'; reason: string } | { kind: 'server' };
}

/** The runnable blocks of a Markdown text, with their markers. Throws on a malformed marker. */
export function extractBlocks(markdown: string, file = 'README.md'): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let heading = '(top)';
  let section = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const h = /^(#{1,6})\s+(.*)$/.exec(lines[i]);
    if (h) {
      heading = h[2].trim();
      if (h[1].length <= 2) section = heading;
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const lang = open[3].toLowerCase();
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence); i++) body.push(lines[i]);
    if (!LANGUAGES.has(lang)) continue;
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    let marker: Block['marker'];
    const m = j >= 0 ? /^<!--\s*doctest:\s*(.*?)\s*-->$/.exec(lines[j].trim()) : null;
    if (m) {
      const skip = /^skip\s*\((.+)\)$/.exec(m[1]);
      if (skip) marker = { kind: 'skip', reason: skip[1] };
      else if (m[1] === 'server') marker = { kind: 'server' };
      else throw new Error(`${file}:${j + 1}: unknown doctest marker ${JSON.stringify(m[1])} (skip (reason) | server)`);
    }
    blocks.push({ line: start + 1, lang, code: body.join('\n') + '\n', heading, section, marker });
  }
  return blocks;
}

/** ESM when the code has a top-level import/export statement (not `import(`). */
function isEsm(lang: string, code: string): boolean {
  if (lang === 'mjs') return true;
  if (lang === 'cjs') return false;
  return /^(import\s*[\w{*'"]|export\s)/m.test(code);
}

/** What the user's file would be: { name, source }. */
function toFile(block: Block, index: number): { name: string; source: string } {
  const esm = isEsm(block.lang, block.code);
  let source = block.code;
  if (block.lang === 'ts' || block.lang === 'typescript') {
    source = ts.transpileModule(source, {
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        verbatimModuleSyntax: false,
      },
      reportDiagnostics: false,
    }).outputText;
  }
  return { name: `block-${index + 1}-line-${block.line}.${esm ? 'mjs' : 'cjs'}`, source };
}

let scratch: string;
let env: NodeJS.ProcessEnv;

/**
 * A port to hand a server block, taken below the kernel's ephemeral range
 * (ip_local_port_range): every other test listens on port 0 and gets one from
 * that range, so none can take this port between our check and the block's
 * listen. Checked free by binding it here first.
 */
async function freePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch { /* not Linux: the usual default */ }
  const from = Math.max(1024, low - 12_000);
  for (let i = 0; i < 50; i++) {
    const port = from + Math.floor(Math.random() * (low - from));
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * Launches a server block on a free port and waits until it listens. Should
 * something outside the tests take the port first, the block's EADDRINUSE is
 * retried on another; any other failure to listen is the block's.
 */
async function launchListening(file: string, env: NodeJS.ProcessEnv, title: string): Promise<{ child: ChildProcess; done: Promise<Outcome> }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const launched = launch(file, { ...env, PORT: String(port) });
    let exited = false;
    void launched.done.then(() => { exited = true; });
    for (let i = 0; i < 300 && !exited; i++) {
      if (await canConnect(port)) return launched;
      await new Promise((r) => setTimeout(r, 100));
    }
    launched.child.kill('SIGKILL');
    const o = await launched.done;
    if (attempt < 3 && o.output.includes('EADDRINUSE')) continue;
    throw new Error(`${title}: never listened on PORT=${port} (exit ${o.code ?? o.signal}):\n${o.output}`);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

interface Outcome { code: number | null; signal: NodeJS.Signals | null; output: string }

function launch(file: string, extraEnv: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [file], { cwd: scratch, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => { output += c; });
  child.stderr!.on('data', (c) => { output += c; });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const done = new Promise<Outcome>((resolve) => {
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, output }); });
  });
  return { child, done };
}

const documents = DOCUMENTS.map((file) => ({
  name: path.relative(repo, file),
  blocks: extractBlocks(fs.readFileSync(file, 'utf8'), path.relative(repo, file)),
}));
const blocks = documents[0]!.blocks;

describe('README.md, CONTRIBUTING.md and docs/*.md code blocks run as written', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(repo, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build:ts` (npm test does) before this suite');
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-native-doctest-'));
    const modules = path.join(scratch, 'node_modules');
    fs.mkdirSync(modules);
    // The user's project: this package under its name, plus the libraries
    // the README's examples use (express, ...), from this repo's install.
    for (const entry of fs.readdirSync(path.join(repo, 'node_modules'))) {
      if (entry === 'boxlite-native' || entry.startsWith('.')) continue;
      fs.symlinkSync(path.join(repo, 'node_modules', entry), path.join(modules, entry));
    }
    fs.symlinkSync(repo, path.join(modules, 'boxlite-native'), 'dir');
    fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'readme-user', private: true }));
    fs.mkdirSync(path.join(scratch, 'home'));
    fs.mkdirSync(path.join(scratch, 'boxlite-home'));
    env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS') delete env[k];
    Object.assign(env, {
      BOXLITE_LIBRARY: testEngineLibraryPath(),
      BOXLITE_HOME: path.join(scratch, 'boxlite-home'),
      HOME: path.join(scratch, 'home'),
      BOXLITE_API_KEY: 'doctest-api-key',
    });
  });

  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the README examples (quick start, embedding, test engine, HTTP service, classifier)', () => {
    const runnable = blocks.filter((b) => b.marker?.kind !== 'skip');
    expect(runnable.length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.marker?.kind === 'skip').length).toBeLessThanOrEqual(Math.max(1, blocks.length / 4));
    // The first example a reader meets is the quick start's, and it has a server too.
    expect(blocks[0]!.section).toBe(QUICK_START);
    expect(blocks.filter((b) => b.section === QUICK_START && b.marker?.kind === 'server').length).toBeGreaterThanOrEqual(1);
  });

  const all = documents.flatMap((d) => d.blocks.map((block) => ({ document: d.name, block })));
  for (const [index, { document, block }] of all.entries()) {
    const title = `${document}:${block.line} (${block.lang}, "${block.heading}")`;
    // The quick start runs as on a machine with this package and nothing else.
    const blockEnv: NodeJS.ProcessEnv = document === 'README.md' && block.section === QUICK_START
      ? { BOXLITE_LIBRARY: '/nonexistent/boxlite-native-doctest/libboxlite.so' }
      : {};
    if (block.marker?.kind === 'skip') {
      it.skip(`${title}: ${block.marker.reason}`, () => undefined);
      continue;
    }
    it(title, async () => {
      const { name, source } = toFile(block, index);
      const file = path.join(scratch, name);
      fs.writeFileSync(file, source);
      if (block.marker?.kind === 'server') {
        const running = await launchListening(file, blockEnv, title);
        running.child.kill('SIGINT');
        const outcome = await running.done;
        expect(outcome.code, `${title} after SIGINT:\n${outcome.output}`).toBe(0);
      } else {
        const outcome = await launch(file, blockEnv).done;
        expect(outcome.code, `${title} (${name}):\n${outcome.output}`).toBe(0);
      }
    });
  }
});

describe('the doc-test harness itself', () => {
  it('reads markers, languages and module kinds', () => {
    const md = [
      '# A', '```sh', 'echo no', '```', '<!-- doctest: skip (a fragment) -->', '', '```js', 'x;', '```',
      '## B', '<!-- doctest: server -->', '```ts', "import { a } from 'b';", '```', '```javascript', 'await 1', '```',
    ].join('\n');
    const got = extractBlocks(md);
    expect(got.map((b) => [b.line, b.lang, b.heading, b.section, b.marker?.kind])).toEqual([
      [7, 'js', 'A', 'A', 'skip'], [12, 'ts', 'B', 'B', 'server'], [15, 'javascript', 'B', 'B', undefined],
    ]);
    expect(extractBlocks('## S\n### T\n```js\nx\n```\n')[0]).toMatchObject({ heading: 'T', section: 'S' });
    expect(isEsm('ts', got[1].code)).toBe(true);
    expect(isEsm('javascript', got[2].code)).toBe(false);
    expect(isEsm('js', "const x = await import('y');\n")).toBe(false);
    expect(() => extractBlocks('<!-- doctest: skp -->\n```js\nx\n```\n')).toThrow(/unknown doctest marker/);
  });
});
