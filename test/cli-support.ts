// Runs `boxlite-native serve` (from the compiled dist/, which `npm test`
// builds first) as a real child process and waits for its banner.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..', process.env.BOXLITE_DIST ?? 'dist');
export const CLI = path.join(DIST, 'cli.js');

export interface RunningCli {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string | undefined> = {}): Promise<RunningCli> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:ts\` (npm test does) before this suite`);
  const childEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no banner; stderr: ${err}`)); }, 15_000);
    child.stderr!.on('data', (c) => { err += c; });
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, origin: m[1], port: Number(m[2]), stdout: () => out, stderr: () => err, exited });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code} before serving; stderr: ${err}`)); });
  });
}

/** SIGTERM, then SIGKILL after 10 s; resolves the exit code. */
export async function stopCli(r: RunningCli): Promise<number | null> {
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 10_000);
  const code = await r.exited;
  clearTimeout(timer);
  return code;
}
