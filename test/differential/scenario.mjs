// The operations the differential suite (test/differential-engine.test.ts)
// runs, step by step, through BoxLite's real engine and through this
// package's Runtime on the test engine. Plain ESM so the real-engine driver
// (a separate Node process, see real-engine-driver.mjs) can import it too.
//
// An adapter gives both engines one shape:
//   create(options, name) -> { id, name }
//   info(idOrName)        -> CommonInfo | null   (null: no such box)
//   find(idOrName)        -> { id, name } | null
//   list()                -> CommonInfo[]
//   remove(idOrName, force)
//   metrics()             -> { boxesCreatedTotal, boxesFailedTotal, numRunningBoxes, totalCommandsExecuted, totalExecErrors }
//   openSecondRuntime()   -> opens (and closes) another runtime on the same home
// CommonInfo: { id, name|null, image, status, running, cpus, memoryMib,
//               autoDelete, autoResume, hasCreatedAt, network: { mode, allowNet } | null }
//
// Outcomes are recorded raw ({ ok, value } or { ok: false, message }); the
// suite normalises ids, the home dir and the error class.

const IMAGE = 'alpine:latest';

/** `{ ref: 'a' }` is box `a`'s id; `{ ref: 'a', prefix: n }` its first n characters. */
export const STEPS = [
  { label: 'create a named box', op: 'create', as: 'a', options: { image: IMAGE }, name: 'dup' },
  { label: 'info of a fresh box (configured, no VM)', op: 'info', target: 'dup' },
  { label: 'get by name', op: 'find', target: 'dup' },
  { label: 'get by full id', op: 'find', target: { ref: 'a' } },
  { label: 'get by id prefix (libboxlite resolves unique prefixes)', op: 'find', target: { ref: 'a', prefix: 6 } },
  { label: 'get a missing box', op: 'find', target: 'nope' },
  { label: 'info of a missing box', op: 'info', target: 'nope' },
  { label: 'create with a name already taken', op: 'create', options: { image: IMAGE }, name: 'dup' },
  { label: "create with a name equal to another box's id", op: 'create', options: { image: IMAGE }, name: { ref: 'a' } },
  { label: "create with a name that is a prefix of another box's id", op: 'create', options: { image: IMAGE }, name: { ref: 'a', prefix: 8 } },
  { label: 'create with a name containing spaces and a slash', op: 'create', as: 'odd', options: { image: IMAGE }, name: 'a b/c' },
  { label: 'get the odd name', op: 'find', target: 'a b/c' },
  { label: 'create with a non-ASCII name', op: 'create', options: { image: IMAGE }, name: 'caf\u00e9-\u540d\u524d' },
  { label: 'get the non-ASCII name', op: 'info', target: 'caf\u00e9-\u540d\u524d' },
  { label: 'create with a 300-character name', op: 'create', options: { image: IMAGE }, name: 'n'.repeat(300) },
  { label: 'create unnamed', op: 'create', as: 'anon', options: { image: IMAGE } },
  { label: 'info of an unnamed box (name null)', op: 'info', target: { ref: 'anon' } },
  { label: 'cpus=1, memory 1 MiB (no VM: not checked at create)', op: 'create', as: 'small', options: { image: IMAGE, cpus: 1, memoryMib: 1 } },
  { label: 'info of cpus=1/memory=1', op: 'info', target: { ref: 'small' } },
  { label: 'cpus=255 (largest u8), memory 65536 MiB', op: 'create', as: 'big', options: { image: IMAGE, cpus: 255, memoryMib: 65536 } },
  { label: 'info of cpus=255', op: 'info', target: { ref: 'big' } },
  { label: 'an image reference that cannot parse (pulled only at start)', op: 'create', as: 'badref', options: { image: '!!!not a ref' } },
  { label: 'info of the unparsable image', op: 'info', target: { ref: 'badref' } },
  { label: 'an unknown registry', op: 'create', options: { image: 'registry.invalid/none/such:tag' } },
  { label: 'a digest reference', op: 'create', options: { image: 'alpine@sha256:' + '0'.repeat(64) } },
  { label: 'a rootfs path that does not exist (checked only at start)', op: 'create', as: 'rootfs', options: { rootfsPath: '/nonexistent/boxlite-rootfs' } },
  { label: 'info of the rootfs box', op: 'info', target: { ref: 'rootfs' } },
  { label: 'a relative rootfs path', op: 'create', as: 'relroot', options: { rootfsPath: 'relative/rootfs' } },
  { label: 'info of the relative rootfs box', op: 'info', target: { ref: 'relroot' } },
  { label: 'relative workdir and volume paths (checked only at start)', op: 'create', options: {
    image: IMAGE, workdir: 'relative', volumes: [{ hostPath: 'relative-host', guestPath: 'relative-guest' }],
  } },
  { label: 'network disabled', op: 'create', as: 'nonet', options: { image: IMAGE, network: { mode: 'disabled' } } },
  { label: 'info of network disabled', op: 'info', target: { ref: 'nonet' } },
  { label: 'network allow-list', op: 'create', as: 'allow', options: { image: IMAGE, network: { mode: 'enabled', allowNet: ['example.com', '10.0.0.0/8'] } } },
  { label: 'info of the allow-list', op: 'info', target: { ref: 'allow' } },
  { label: 'env, workdir, entrypoint, cmd, a volume whose host path does not exist', op: 'create', as: 'full', options: {
    image: IMAGE, env: { A: '1', B: 'two words' }, workdir: '/srv', entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'],
    volumes: [{ hostPath: '/nonexistent/boxlite-volume', guestPath: '/data', readOnly: true }],
  } },
  { label: 'info of the full box', op: 'info', target: { ref: 'full' } },
  { label: 'detach with remove-on-stop still on', op: 'create', options: { image: IMAGE, detach: true, autoRemove: true } },
  { label: 'detach without remove-on-stop', op: 'create', as: 'detached', options: { image: IMAGE, detach: true, autoRemove: false } },
  { label: 'info of the detached box', op: 'info', target: { ref: 'detached' } },
  { label: 'autoDelete=30 (replaces remove-on-stop)', op: 'create', as: 'autodel', options: { image: IMAGE, autoDelete: 30 } },
  { label: 'info of autoDelete=30', op: 'info', target: { ref: 'autodel' } },
  { label: 'autoResume=false', op: 'create', as: 'noresume', options: { image: IMAGE, autoResume: false } },
  { label: 'info of autoResume=false', op: 'info', target: { ref: 'noresume' } },
  { label: 'autoStop on a local runtime', op: 'create', options: { image: IMAGE, autoStop: 10 } },
  { label: 'detach with autoDelete=0', op: 'create', options: { image: IMAGE, detach: true, autoRemove: true, autoDelete: 0 } },
  { label: 'list every box', op: 'list' },
  { label: 'runtime metrics', op: 'metrics' },
  { label: 'remove a missing box', op: 'remove', target: 'nope', force: false },
  { label: 'remove a missing box with force', op: 'remove', target: 'nope', force: true },
  { label: 'remove a configured box by name', op: 'remove', target: 'dup', force: false },
  { label: 'remove the same box twice', op: 'remove', target: 'dup', force: false },
  { label: 'get the removed box', op: 'find', target: 'dup' },
  { label: 'the freed name can be used again', op: 'create', as: 'again', options: { image: IMAGE }, name: 'dup' },
  { label: 'remove by id prefix with force', op: 'remove', target: { ref: 'again', prefix: 6 }, force: true },
  { label: 'remove by full id', op: 'remove', target: { ref: 'anon' }, force: false },
  { label: 'list after removals', op: 'list' },
  { label: 'metrics after removals', op: 'metrics' },
  // This package's facade is stricter than the engine for these: it refuses
  // them before libboxlite sees them (FACADE_DIFFERENCES in the suite). Last,
  // so the boxes the real engine creates here change no list or metrics above.
  { label: 'create with an empty name', op: 'create', options: { image: IMAGE }, name: '' },
  { label: 'cpus=0', op: 'create', options: { image: IMAGE, cpus: 0 } },
  { label: 'cpus=256 (does not fit libboxlite\'s u8)', op: 'create', options: { image: IMAGE, cpus: 256 } },
  { label: 'cpus=1.5', op: 'create', options: { image: IMAGE, cpus: 1.5 } },
  { label: 'memoryMib=0', op: 'create', options: { image: IMAGE, memoryMib: 0 } },
  { label: 'an empty image reference', op: 'create', options: { image: '' } },
  { label: 'neither image nor rootfsPath', op: 'create', options: {} },
  { label: 'both image and rootfsPath', op: 'create', options: { image: IMAGE, rootfsPath: '/nonexistent/boxlite-rootfs' } },
  { label: 'network disabled with an allow-list', op: 'create', options: { image: IMAGE, network: { mode: 'disabled', allowNet: ['example.com'] } } },
  { label: 'an empty env key', op: 'create', options: { image: IMAGE, env: { '': 'x' } } },
  { label: 'a second runtime on the same home', op: 'openSecondRuntime' },
];

function resolve(target, boxes) {
  if (target === undefined || typeof target === 'string') return target;
  const id = boxes.get(target.ref);
  if (id === undefined) throw new Error(`scenario bug: no box '${target.ref}' recorded`);
  return target.prefix ? id.slice(0, target.prefix) : id;
}

/** Runs every step; never throws for an engine error (it is the outcome). */
export async function runScenario(adapter) {
  const boxes = new Map();
  const outcomes = [];
  for (const [index, step] of STEPS.entries()) {
    let outcome;
    try {
      let value;
      switch (step.op) {
        case 'create': {
          value = await adapter.create(step.options, resolve(step.name, boxes));
          // Every box gets a label, so the suite can show ids as labels.
          boxes.set(step.as ?? `#${index}`, value.id);
          break;
        }
        case 'info': value = await adapter.info(resolve(step.target, boxes)); break;
        case 'find': value = await adapter.find(resolve(step.target, boxes)); break;
        case 'list': value = await adapter.list(); break;
        case 'remove': value = await adapter.remove(resolve(step.target, boxes), step.force) ?? null; break;
        case 'metrics': value = await adapter.metrics(); break;
        case 'openSecondRuntime': value = await adapter.openSecondRuntime(); break;
        default: throw new Error(`scenario bug: unknown op ${step.op}`);
      }
      outcome = { ok: true, value };
    } catch (err) {
      outcome = { ok: false, message: String(err && err.message !== undefined ? err.message : err) };
    }
    outcomes.push({ label: step.label, op: step.op, ...outcome });
  }
  return { outcomes, boxes: Object.fromEntries(boxes) };
}
