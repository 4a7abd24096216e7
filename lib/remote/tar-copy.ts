// copyIn / copyOut over `PUT|GET .../files?path=` (tar on the wire), with the
// embedded runtime's semantics on the host side:
//   copyIn:  a directory's contents land in guestDst; a file is written as
//            guestDst, or into it when guestDst is a directory or ends in '/'.
//   copyOut: the same rules, mirrored onto hostDst.
// The server packs a downloaded directory's contents, and a file as one entry
// named after it; so an archive holding just one non-directory entry named
// like the source is a file. Downloads are unpacked into a private temporary
// directory that is removed whatever happens, then copied into place.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { WriteEntry } from 'tar';

/**
 * The upload body for a host path: a tar of the directory, rooted at its own
 * `./` entry, or of the one file. The root entry is what says "directory"
 * on the wire, as in BoxLite's own client (tar's append_dir_all(".")): a
 * directory holding one file would otherwise look like that file. The
 * document's uploadFiles has no parameter for it.
 */
export async function packHostPath(hostSrc: string): Promise<{ make: () => Readable }> {
  const st = await fsp.lstat(hostSrc);
  const isDir = st.isDirectory();
  const cwd = isDir ? hostSrc : path.dirname(hostSrc);
  const entries = isDir ? ['.'] : [path.basename(hostSrc)];
  const make = (): Readable => {
    // Entries past their header: the ones that may hold a host file open.
    const live = new Set<WriteEntry>();
    let stopped = false;
    const pack = tar.c({
      cwd, portable: true, follow: false,
      onWriteEntry: (entry) => {
        if (stopped) {
          stopReading(entry);
          return;
        }
        live.add(entry);
        entry.once('end', () => live.delete(entry));
      },
    }, entries);
    const body = Readable.from(pack as AsyncIterable<Buffer>);
    // An upload cut short (abort, a refused or dropped request) destroys the
    // body; tar only pauses then, its open files held for good. Each entry is
    // told to stop and close its file; the ones not started yet never open it.
    body.once('close', () => {
      if (body.readableEnded) return;
      stopped = true;
      pack.on('error', () => { /* the stopped entries' own errors: nobody reads this pack any more */ });
      for (const entry of live) stopReading(entry);
      live.clear();
    });
    return body;
  };
  return { make };
}

/**
 * Makes a tar WriteEntry close its file at its next step, with what tar
 * offers: an entry that saw an error closes the file it opens next, and one
 * with nothing left to read closes it at its next read or drain.
 */
function stopReading(entry: WriteEntry): void {
  entry.emit('error', new Error('upload stopped'));
  entry.remain = 0;
  entry.blockRemain = 0;
  // Parked until the pack drains (it never will): wake it so it closes now.
  if (entry.listenerCount('drain') > 0) entry.emit('drain');
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Unpacks `body` into `dir`. When the body fails (an abort, a dropped
 * connection) tar would keep the file it was writing open for good, waiting
 * for the rest of its entry: the archive is ended there instead (tar then
 * closes it as a truncated one), before anyone removes `dir`.
 */
async function unpackArchive(body: Readable, dir: string): Promise<void> {
  const unpack = tar.x({ cwd: dir, preservePaths: false });
  let settled = false;
  const done = new Promise<void>((resolve) => {
    const finish = () => { settled = true; resolve(); };
    unpack.once('finish', finish);
    unpack.once('abort', finish);
  });
  try {
    await pipeline(body, unpack as unknown as NodeJS.WritableStream);
  } catch (err) {
    if (!settled) {
      unpack.on('error', () => { /* the download already failed with its own error */ });
      unpack.end();
      await done;
    }
    throw err;
  }
}

/** Unpacks a downloaded archive of `guestSrc` onto `hostDst`. */
export async function unpackToHost(body: Readable, guestSrc: string, hostDst: string): Promise<void> {
  const staging = await fsp.mkdtemp(path.join(os.tmpdir(), 'boxlite-copyout-'));
  try {
    await unpackArchive(body, staging);
    const entries = await fsp.readdir(staging, { withFileTypes: true });
    const base = path.posix.basename(guestSrc.replace(/\/+$/, ''));
    const single = entries.length === 1 && !entries[0].isDirectory() && entries[0].name === base ? entries[0] : null;
    if (single !== null) {
      let dst = hostDst;
      if ((await isDirectory(dst)) || dst.endsWith('/')) dst = path.join(dst, single.name);
      await fsp.mkdir(path.dirname(dst), { recursive: true });
      await fsp.rm(dst, { force: true });
      await fsp.cp(path.join(staging, single.name), dst, { verbatimSymlinks: true });
    } else {
      await fsp.mkdir(hostDst, { recursive: true });
      await fsp.cp(staging, hostDst, { recursive: true, force: true, verbatimSymlinks: true });
    }
  } finally {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

