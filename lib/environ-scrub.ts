// Erasing a variable from the process's initial environment block.
//
// `delete process.env.X` unsets X for this process and the commands it
// starts, but the kernel shows /proc/<pid>/environ from the block the process
// was started with (on its stack, between env_start and env_end), which
// unsetenv never touches. Any process of the same user can read that file:
// with the test engine, every command the server runs. So after unsetting,
// the entry's bytes in that block are overwritten with NULs, through
// /proc/self/mem (a process may write its own memory there).
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

/** env_start and env_end of this process (fields 50 and 51 of /proc/self/stat, Linux >= 3.5), or null. */
function environBlock(): { start: number; end: number } | null {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (field 2, in parentheses, may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[50 - 3]);
  const end = Number(fields[51 - 3]);
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && end > start ? { start, end } : null;
}

/**
 * Overwrites every `name=...` entry of the initial environment block with
 * NULs. Returns true when, afterwards, no such entry is left there; false
 * where that cannot be done (not Linux, /proc/self/mem not writable): the
 * caller then says so. Unset the variable first (`delete process.env[name]`):
 * the C library may still point at the entry until then.
 */
export function eraseFromEnvironBlock(name: string): boolean {
  let fd: number | null = null;
  try {
    const block = environBlock();
    if (block === null) return false;
    fd = openSync('/proc/self/mem', 'r+');
    const bytes = Buffer.alloc(block.end - block.start);
    readSync(fd, bytes, 0, bytes.length, block.start);
    const key = Buffer.from(`${name}=`);
    let at = 0;
    while (at < bytes.length) {
      let stop = bytes.indexOf(0, at);
      if (stop < 0) stop = bytes.length;
      if (stop - at >= key.length && bytes.subarray(at, at + key.length).equals(key)) {
        const zeros = Buffer.alloc(stop - at);
        writeSync(fd, zeros, 0, zeros.length, block.start + at);
      }
      at = stop + 1;
    }
    // Read back: what the kernel will show is what counts.
    return !readFileSync('/proc/self/environ', 'latin1').split('\0').some((entry) => entry.startsWith(`${name}=`));
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
