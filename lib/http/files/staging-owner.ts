// Which process owns a staging directory, and sweeping the ones whose owner
// is gone. A transfer's staging directory is removed on every path while its
// server runs, but a server that is killed (kill -9, OOM, power loss) leaves
// it behind, and several servers may share one temp directory. So each
// directory's name says who made it:
//     boxlite-files-p<pid>s<start>n<pidns>-XXXXXX
// <start> is the process's start time (clock ticks after boot, from
// /proc/<pid>/stat: a reused pid has another one) and <pidns> its pid
// namespace (containers sharing a temp directory number their processes
// independently). A starting handler removes the directories whose owner, in
// its own pid namespace, no longer runs; it never touches another live
// server's, nor a directory from another namespace or one it cannot read the
// owner of (an older version's name): those are left alone.
import { readFileSync, readlinkSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export const STAGING_PREFIX = 'boxlite-files-';

interface Owner {
  pid: number;
  /** Start time in clock ticks after boot; 0 when /proc is not there. */
  start: number;
  /** Inode of the pid namespace; 0 when /proc is not there. */
  ns: number;
}

/** The start time of `pid` (field 22 of /proc/<pid>/stat); 'gone' when it does not run; null when unknown. */
function startTimeOf(pid: number | 'self'): number | 'gone' | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return Number.isSafeInteger(start) ? start : null;
}

function pidNamespace(): number {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

let self: Owner | null = null;

function selfOwner(): Owner {
  if (self === null) {
    const start = startTimeOf('self');
    self = { pid: process.pid, start: typeof start === 'number' ? start : 0, ns: pidNamespace() };
  }
  return self;
}

/** The name prefix of this process's staging directories (mkdtemp adds six characters). */
export function stagingPrefix(): string {
  const { pid, start, ns } = selfOwner();
  return `${STAGING_PREFIX}p${pid}s${start}n${ns}-`;
}

const OWNED_NAME = /^boxlite-files-p(\d+)s(\d+)n(\d+)-[A-Za-z0-9]{6}$/;

/** The owner named by a staging directory's name, or null for a name this version did not make. */
function ownerOf(name: string): Owner | null {
  const m = OWNED_NAME.exec(name);
  return m ? { pid: Number(m[1]), start: Number(m[2]), ns: Number(m[3]) } : null;
}

/** Whether `owner` still runs, as far as this process can tell (unsure: yes). */
function stillRuns(owner: Owner, me: Owner): boolean {
  if (owner.ns !== me.ns) return true; // another pid namespace: its pids mean nothing here
  if (owner.pid === me.pid && owner.start === me.start) return true;
  if (me.ns !== 0) {
    const start = startTimeOf(owner.pid);
    if (start === 'gone') return false;
    return start === null || start === owner.start; // unreadable: assume it runs
  }
  // No /proc: the pid alone (a reused pid keeps a dead server's staging, never the reverse).
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the staging directories under `tmpDir` left by servers that no
 * longer run; resolves the names removed. Never fails: a directory that
 * cannot be read or removed is left as it is.
 */
export async function sweepStaleStaging(tmpDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(tmpDir);
  } catch {
    return [];
  }
  const me = selfOwner();
  const stale = names.filter((name) => {
    const owner = ownerOf(name);
    return owner !== null && !stillRuns(owner, me);
  });
  const removed: string[] = [];
  for (const name of stale) {
    try {
      await fsp.rm(path.join(tmpDir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // not ours to fight over (permissions): left as it is
    }
  }
  return removed;
}
