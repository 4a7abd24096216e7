// scripts/release-check.js keeps everything (tarball, scratch projects with
// their node_modules, the unpacked package) in one temp directory, removed
// in its `finally`. A Ctrl-C or a CI timeout (SIGINT/SIGTERM to the process
// group) killed node outright, with no `finally`: the directory stayed. Here
// `npm` is a stand-in that waits, so the script is stopped in its first step.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = path.join(__dirname, '..', 'scripts', 'release-check.js');
let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('release:check removes its temp directory when stopped by a signal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s to its process group', async (signal) => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'release-signal-'));
    const bin = path.join(tmp, 'bin');
    const scratch = path.join(tmp, 'tmpdir');
    fs.mkdirSync(bin);
    fs.mkdirSync(scratch);
    const marker = path.join(tmp, 'npm-started');
    fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\necho "$*" > "${marker}"\nexec sleep 30\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, TMPDIR: scratch, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      detached: true, // its own process group, as a terminal or a CI runner signals it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))));
    try {
      await until(() => fs.existsSync(marker), 20_000, 'the stand-in npm to start');
      const made = fs.readdirSync(scratch).filter((n) => n.startsWith('boxlite-native-release-'));
      expect(made.length).toBe(1); // the script's own directory exists while it runs
      process.kill(-child.pid!, signal);
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
      expect(code, out).not.toBe('hung');
      expect(code, out).not.toBe(0);
      expect(fs.readdirSync(scratch).filter((n) => n.startsWith('boxlite-native-release-')), out).toEqual([]);
      expect(out).toMatch(new RegExp(`interrupted \\(${signal}\\)`));
    } finally {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  }, 60_000);
});
