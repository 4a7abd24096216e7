// Runs scenario.mjs through BoxLite's real engine: the official SDK
// (@boxlite-ai/boxlite), local runtime, on the home dir given as argv[2].
// Prints one JSON document on stdout. A separate process because on hosts
// without /dev/kvm it runs with the fake-kvm.c preload (see that file), which
// must be in place before the SDK's binary loads.
import { JsBoxlite } from '@boxlite-ai/boxlite';

import { runScenario } from './scenario.mjs';

const homeDir = process.argv[2];
if (!homeDir) {
  process.stderr.write('usage: real-engine-driver.mjs <homeDir>\n');
  process.exit(2);
}

// This package's BoxOptions -> the SDK's JsBoxOptions (same meaning).
function toSdkOptions(o) {
  const out = {};
  if (o.image !== undefined) out.image = o.image;
  if (o.rootfsPath !== undefined) out.rootfsPath = o.rootfsPath;
  if (o.cpus !== undefined) out.cpus = o.cpus;
  if (o.memoryMib !== undefined) out.memoryMib = o.memoryMib;
  if (o.workdir !== undefined) out.workingDir = o.workdir;
  if (o.env !== undefined) out.env = Object.entries(o.env).map(([key, value]) => ({ key, value }));
  if (o.volumes !== undefined) out.volumes = o.volumes;
  if (o.network !== undefined) out.network = o.network;
  // libboxlite's C layer defaults to remove-on-stop (auto_remove = 1); the
  // SDK's binding defaults to false. Give the real engine the C default.
  out.autoRemove = o.autoRemove ?? true;
  if (o.autoStop !== undefined) out.autoStop = o.autoStop;
  if (o.autoDelete !== undefined) out.autoDelete = o.autoDelete;
  if (o.autoResume !== undefined) out.autoResume = o.autoResume;
  if (o.detach !== undefined) out.detach = o.detach;
  if (o.entrypoint !== undefined) out.entrypoint = o.entrypoint;
  if (o.cmd !== undefined) out.cmd = o.cmd;
  return out;
}

function commonInfo(i) {
  return {
    id: i.id,
    name: i.name ?? null,
    image: i.image,
    status: i.state.status,
    running: i.state.running,
    cpus: i.cpus,
    memoryMib: i.memoryMib,
    autoStop: i.autoStop,
    autoDelete: i.autoDelete,
    autoResume: i.autoResume,
    hasCreatedAt: typeof i.createdAt === 'string' && !Number.isNaN(Date.parse(i.createdAt)),
    network: i.network ? { mode: i.network.mode, allowNet: i.network.allowNet } : null,
  };
}

const rt = new JsBoxlite({ homeDir });
const adapter = {
  async create(options, name) {
    const box = await rt.create(toSdkOptions(options), name);
    return { id: box.id, name: box.name ?? null };
  },
  async info(idOrName) {
    const info = await rt.getInfo(idOrName);
    return info ? commonInfo(info) : null;
  },
  async find(idOrName) {
    const box = await rt.get(idOrName);
    return box ? { id: box.id, name: box.name ?? null } : null;
  },
  async list() {
    return (await rt.listInfo()).map(commonInfo);
  },
  async remove(idOrName, force) {
    await rt.remove(idOrName, force);
  },
  async metrics() {
    return await rt.metrics();
  },
  async openSecondRuntime() {
    const second = new JsBoxlite({ homeDir });
    try {
      await second.listInfo();
    } finally {
      second.close();
    }
    return 'opened';
  },
};

const result = await runScenario(adapter);
await rt.shutdown();
process.stdout.write(JSON.stringify(result));
