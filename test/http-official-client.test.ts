// The official BoxLite client (@boxlite-ai/boxlite 0.10.0, REST mode) against
// createBoxliteHandler on the test engine: what a BoxLite user would run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from './http-support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let sdk: Any;
let s: Served;

function rest(origin: string, pathPrefix?: string, credential?: Any): Any {
  const opts: Record<string, unknown> = { url: origin };
  if (pathPrefix !== undefined) opts.pathPrefix = pathPrefix;
  if (credential !== undefined) opts.credential = credential;
  return sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions(opts));
}

async function readAll(stream: Any): Promise<string> {
  let out = '';
  for (;;) {
    const chunk = await stream.next();
    if (chunk === null || chunk === undefined) return out;
    out += chunk;
  }
}

/** exec, collect both streams and the exit code, as an SDK user does. */
async function run(box: Any, cmd: string, args: string[] = [], opts: { timeoutSecs?: number } = {}): Promise<{ out: string; err: string; exitCode: number }> {
  const ex = await box.exec(cmd, args, null, false, null, opts.timeoutSecs ?? null, null);
  const [out, err] = await Promise.all([readAll(await ex.stdout()), readAll(await ex.stderr())]);
  const r = await ex.wait();
  return { out, err, exitCode: r.exitCode };
}

beforeAll(async () => {
  sdk = await import('@boxlite-ai/boxlite');
  s = await serve();
});
afterAll(async () => { await s.close(); });

describe('official client: boxes', () => {
  it('create, get, list, remove', async () => {
    const rt = rest(s.origin);
    const box = await rt.create({ image: 'alpine:latest' }, 'sdk-one');
    const info = await rt.getInfo('sdk-one');
    expect(info.id).toBe(box.id);
    expect(info.name).toBe('sdk-one');
    expect(info.image).toBe('alpine:latest');
    expect(info.state.status).toBe('configured');
    const list = await rt.listInfo();
    expect(list.map((b: Any) => b.id)).toContain(box.id);
    expect((await rt.get(box.id)).id).toBe(box.id);
    await rt.remove(box.id, true);
    expect(await rt.get(box.id)).toBeNull();
    expect(await rt.getInfo(box.id)).toBeNull();
  });

  it('start, stop and info round-trip the box id; getOrCreate; metrics', async () => {
    const rt = rest(s.origin);
    const box = await rt.create({ image: 'alpine:latest' });
    await box.start();
    expect((await box.info()).state.status).toBe('running');
    await box.stop();
    expect((await box.info()).state.status).toBe('stopped');
    const again = await rt.getOrCreate({ image: 'alpine:latest' }, 'sdk-goc');
    const same = await rt.getOrCreate({ image: 'alpine:latest' }, 'sdk-goc');
    expect((same.box ?? same).id ?? (await rt.getInfo('sdk-goc')).id).toBeTruthy();
    expect(again).toBeTruthy();
    const m = await rt.metrics();
    expect(m).toBeTruthy();
    await rt.remove(box.id, true);
  });
});

describe('official client: exec', () => {
  let rt: Any;
  let box: Any;
  beforeAll(async () => {
    rt = rest(s.origin);
    box = await rt.create({ image: 'alpine:latest' });
  });

  it('stdout, stderr and the exit code', async () => {
    const r = await run(box, 'sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ out: 'out\n', err: 'err\n', exitCode: 3 });
  });

  it('lots of output arrives complete', async () => {
    const r = await run(box, 'seq', ['1', '50000']);
    expect(r.exitCode).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBe(50000);
    expect(lines[49999]).toBe('50000');
  });

  it('stdin', async () => {
    const ex = await box.exec('sh', ['-c', 'read a; read b; echo "$b-$a"'], null, false, null, null, null);
    const stdin = await ex.stdin();
    await stdin.writeString('first\n');
    await stdin.write(Buffer.from('second\n'));
    await stdin.close();
    expect(await readAll(await ex.stdout())).toBe('second-first\n');
    expect((await ex.wait()).exitCode).toBe(0);
  });

  it('a command silent for 12 s finishes in about 12 s (no dead-socket re-attach)', async () => {
    // The property: the client never takes the quiet socket for dead (it does
    // after 10 s of silence) and never re-attaches. Counted directly, as the
    // WebSocket upgrades the server sees, so the time bound below need not be
    // tight (2 s over was within reach of a loaded CI host): it only has to
    // tell "about 12 s" from the client stalling. (Without the server's Ping
    // at attach, the client hangs: the test then runs into its timeout.)
    const upgrades: string[] = [];
    const onUpgrade = (req: { url?: string }) => upgrades.push(req.url ?? '');
    s.server.on('upgrade', onUpgrade);
    const t0 = Date.now();
    let r: { out: string; err: string; exitCode: number };
    try {
      r = await run(box, 'sh', ['-c', 'sleep 12; echo done']);
    } finally {
      s.server.off('upgrade', onUpgrade);
    }
    const elapsed = Date.now() - t0;
    expect(r).toEqual({ out: 'done\n', err: '', exitCode: 0 });
    expect(upgrades, 'one attach, no re-attach').toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(12_000);
    expect(elapsed).toBeLessThan(20_000);
  }, 30_000);

  it('kill', async () => {
    const ex = await box.exec('sleep', ['30'], null, false, null, null, null);
    const t0 = Date.now();
    await ex.kill();
    const r = await ex.wait();
    expect(r.exitCode).toBe(-9);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('signal', async () => {
    const ex = await box.exec('sh', ['-c', 'trap "echo bye; exit 4" TERM; echo ready; while :; do sleep 0.05; done'], null, false, null, null, null);
    const stdout = await ex.stdout();
    expect(await stdout.next()).toBe('ready\n');
    await ex.signal(15);
    expect(await readAll(stdout)).toBe('bye\n');
    expect((await ex.wait()).exitCode).toBe(4);
    await expect(ex.signal(15)).rejects.toThrow(/^invalid state: /);
  });

  it('SIGKILL through signal() is refused with the pointer to kill', async () => {
    const ex = await box.exec('sleep', ['5'], null, false, null, null, null);
    await expect(ex.signal(9)).rejects.toThrow(/^invalid argument: .*DELETE/);
    await ex.kill();
  });

  it("the seed's spawn failures surface as caller errors", async () => {
    await expect(box.exec('no-such-binary-xyz', [], null, false, null, null, null)).rejects.toThrow(/^Execution error: .*not found in \$PATH/);
    const ghost = await rt.create({ image: 'alpine:latest', user: 'ghost' });
    await expect(ghost.exec('true', [], null, false, null, null, null)).rejects.toThrow(/^invalid argument: .*User 'ghost' not found/);
  });
});

// The client rebuilds BoxLite's error variant from the envelope's `code`.
const CLIENT_PREFIX: Record<number, string> = {
  1: 'internal error: ', 2: 'box not found: ', 3: 'already exists: ', 4: 'invalid state: ', 5: 'invalid argument: ',
  6: 'configuration error: ', 7: 'storage error: ', 8: 'images error: ', 9: 'network error: ', 10: 'Execution error: ',
  11: 'stopped: ', 12: 'engine reported an error: ', 13: 'unsupported: ', 14: 'database error: ', 15: 'portal error: ',
  16: 'portal error: ', 17: 'portal error: ', 18: 'metadata error: ', 19: 'unsupported: ', 20: 'resource exhausted: ',
  21: 'session reaped: ',
};

describe('official client: every error code surfaces with its BoxLite prefix', () => {
  it('codes 1..21 injected at create', async () => {
    const rt = rest(s.origin);
    for (let code = 1; code <= 21; code++) {
      s.t.injectFault({ op: 'create_box', code, message: `injected ${code}` });
      const err = await rt.create({ image: 'alpine:latest' }).then(() => null, (e: Error) => e);
      s.t.clearFaults();
      expect(err, `code ${code}`).toBeInstanceOf(Error);
      expect(err!.message.startsWith(CLIENT_PREFIX[code]), `code ${code}: ${err!.message}`).toBe(true);
      expect(err!.message).toContain(`injected ${code}`);
    }
  });

  it('codes 1..21 injected at exec', async () => {
    const rt = rest(s.origin);
    const box = await rt.create({ image: 'alpine:latest' });
    for (let code = 1; code <= 21; code++) {
      s.t.injectFault({ op: 'exec', code, box: box.id, message: `injected exec ${code}` });
      const err = await box.exec('true', [], null, false, null, null, null).then(() => null, (e: Error) => e);
      s.t.clearFaults();
      expect(err, `code ${code}`).toBeInstanceOf(Error);
      expect(err!.message.startsWith(CLIENT_PREFIX[code]), `code ${code}: ${err!.message}`).toBe(true);
    }
  });
});

describe('official client: prefixes and files', () => {
  it('a multi-segment prefix', async () => {
    const p = await serve({ t: s.t, handler: { auth: 'none', pathPrefix: 'us-east/team-42' } });
    try {
      const rt = rest(p.origin, 'us-east/team-42');
      const box = await rt.create({ image: 'alpine:latest' });
      expect((await rt.getInfo(box.id)).id).toBe(box.id);
      expect(await run(box, 'echo', ['prefixed'])).toEqual({ out: 'prefixed\n', err: '', exitCode: 0 });
      await rt.remove(box.id, true);
      // the wrong prefix is simply not this server's API
      await expect(rest(p.origin, 'eu-west/team-1').create({ image: 'alpine:latest' })).rejects.toThrow(/^box not found: /);
    } finally {
      await p.close();
    }
  });

  it('copyIn and copyOut', async () => {
    const rt = rest(s.origin);
    const box = await rt.create({ image: 'alpine:latest' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-files-'));
    try {
      fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello from the host\n');
      await box.copyIn(path.join(dir, 'hello.txt'), '/data/hello.txt');
      expect(await run(box, 'cat', ['data/hello.txt'])).toMatchObject({ out: 'hello from the host\n', exitCode: 0 });
      await run(box, 'sh', ['-c', 'mkdir -p out/sub && echo one > out/a.txt && echo two > out/sub/b.txt']);
      await box.copyOut('/out', path.join(dir, 'back'));
      const found = fs.readdirSync(path.join(dir, 'back'), { recursive: true }).map(String).sort();
      expect(found.some((f) => f.endsWith('a.txt'))).toBe(true);
      expect(found.some((f) => f.endsWith(path.join('sub', 'b.txt')))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await rt.remove(box.id, true);
    }
  });
});
