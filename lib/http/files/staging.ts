// The files routes' staging directories: keeping an engine copy within a disk
// budget, and keeping their host paths out of what a client is told.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** How often a copy into staging is measured (ms). */
const WATCH_INTERVAL_MS = 20;

export interface StagingWatch {
  /** The staged files went past the budget at some point. */
  readonly exceeded: boolean;
  /** Largest disk use measured (bytes allocated, holes excluded). */
  readonly peakBytes: number;
  /** Stops measuring; resolves once no measurement is in flight. */
  stop(): Promise<void>;
}

/** Disk blocks allocated under `dir`, in bytes; calls `onFile` for each regular file. */
async function allocatedBytes(dir: string, onFile?: (file: string) => Promise<void>): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0; // being created or removed under us: measured next time
  }
  for (const name of names) {
    const abs = path.join(dir, name);
    try {
      const st = await fsp.lstat(abs);
      total += st.blocks * 512;
      if (st.isDirectory()) total += await allocatedBytes(abs, onFile);
      else if (st.isFile() && onFile) await onFile(abs);
    } catch {
      // vanished between readdir and lstat
    }
  }
  return total;
}

/**
 * Watches an engine copy into `dir` (libboxlite copies to a host path and
 * cannot be interrupted or told a size limit). Once the files under `dir`
 * take more than `budget` bytes of disk, the copy is marked as exceeded and
 * every staged file is truncated to zero at each measurement until stop():
 * the engine keeps writing at its offset, which leaves a hole, so the disk
 * use stays near the budget plus what the engine writes in one interval,
 * however large the source is. The staged result is then useless and the
 * caller refuses the transfer.
 */
export function watchStaging(dir: string, budget: number): StagingWatch {
  let exceeded = false;
  let peakBytes = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const truncate = (file: string) => fsp.truncate(file, 0).catch(() => undefined);
  const measure = async () => {
    const used = await allocatedBytes(dir, exceeded ? truncate : undefined);
    peakBytes = Math.max(peakBytes, used);
    if (used > budget && !exceeded) {
      exceeded = true;
      await allocatedBytes(dir, truncate);
    }
  };
  const tick = () => {
    timer = null;
    inFlight = measure().finally(() => {
      if (!stopped) {
        timer = setTimeout(tick, WATCH_INTERVAL_MS);
        timer.unref();
      }
    });
  };
  timer = setTimeout(tick, WATCH_INTERVAL_MS);
  timer.unref();
  return {
    get exceeded() { return exceeded; },
    get peakBytes() { return peakBytes; },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await inFlight.catch(() => undefined);
      // The copy is over: one last look decides small overshoots too.
      if (!exceeded) await measure().catch(() => undefined);
    },
  };
}

const STAGING_NAME = /[^\s'"`]*boxlite-files-(?:p\d+s\d+n\d+-)?[A-Za-z0-9]{6}(?:\/(?:in|out))?\/?/g;

/**
 * `err` with every mention of a staging directory replaced by "<staging>/":
 * a host path tells a client about the server's file system, and means
 * nothing to it anyway (it sent entry names, not host paths).
 */
export function hideStagingPath(err: unknown, dir: string): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as { message?: unknown };
  if (typeof e.message !== 'string') return err;
  const hidden = e.message.split(dir).join('<staging>').replace(STAGING_NAME, '<staging>/');
  if (hidden !== e.message) {
    try { e.message = hidden; } catch { /* a frozen error keeps its text; the classifier still answers */ }
  }
  return err;
}
