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
    const pack = tar.c({ cwd, portable: true, follow: false }, entries);
    return Readable.from(pack as AsyncIterable<Buffer>);
  };
  return { make };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Unpacks a downloaded archive of `guestSrc` onto `hostDst`. */
export async function unpackToHost(body: Readable, guestSrc: string, hostDst: string): Promise<void> {
  const staging = await fsp.mkdtemp(path.join(os.tmpdir(), 'boxlite-copyout-'));
  try {
    await pipeline(body, tar.x({ cwd: staging, preservePaths: false }) as unknown as NodeJS.WritableStream);
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

