// Whether a process is still running. `process.kill(pid, 0)` also succeeds for
// a zombie: a process that has exited but that its parent (or, once orphaned,
// this sandbox's init, which may never reap) has not waited for yet.
import fs from 'node:fs';

export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself hold ')').
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return false; // no such process
  }
}
