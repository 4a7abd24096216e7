// @ts-nocheck
// Tar archives <-> a host directory, for the files routes (the engine copies
// host paths in and out of a box; the wire carries tar).
//
// Why the `tar` package (node-tar, npm's own) rather than the system binary:
// it streams in-process with no dependency on which tar the host has (GNU and
// BSD differ in flags and in how they treat hostile archives), and it already
// refuses the classic attacks: `..` paths, extraction through a symlink,
// hardlinks out of the target. We add two rules on top:
//  - entries that would be silently rewritten (absolute or `..` paths) or
//    skipped (devices, fifos) are refused: the upload fails with 400 instead
//    of landing something other than what was sent;
//  - absolute symlink targets are restored verbatim after extraction. node-tar
//    makes them relative, which is right for the host but wrong for the box
//    (`/usr/bin/python -> /usr/bin/python3` must stay absolute inside it).
//    They are re-created only once every entry is written, so nothing is ever
//    written through them.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar';
import { invalid } from './validate';

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

function hasDotDot(p: string): boolean {
  return p.split('/').includes('..');
}

/** Extract the tar stream `source` into the empty directory `dir`; rejects with a 400 for a refused archive. */
export function extractTar(source: Readable, dir: string): Promise<void> {
  const refusals: string[] = [];
  const absoluteSymlinks: Array<{ entryPath: string; target: string }> = [];
  const unpack = tar.x({
    cwd: dir,
    strict: false,
    // The archive's owners mean nothing on this host; the box decides.
    preserveOwner: false,
    filter: (entryPath, entry) => {
      const e = entry as tar.ReadEntry;
      const refuse = (why: string) => { refusals.push(`${JSON.stringify(entryPath)}: ${why}`); return false; };
      if (!ALLOWED_TYPES.has(e.type)) return refuse(`unsupported entry type ${e.type}`);
      if (entryPath.startsWith('/')) return refuse('absolute path');
      if (hasDotDot(entryPath)) return refuse("path contains '..'");
      const link = e.linkpath ?? '';
      if (e.type === 'Link' && (link.startsWith('/') || hasDotDot(link))) return refuse('hardlink target outside the archive');
      if (e.type === 'SymbolicLink' && link.startsWith('/')) absoluteSymlinks.push({ entryPath, target: link });
      return true;
    },
    onwarn: (code, message) => {
      // Informational notes are about rewrites we already refused or undo.
      if (code !== 'TAR_ENTRY_INFO') refusals.push(`${code}: ${message}`);
    },
  });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(unpack);
      source.resume();
      reject(err);
    };
    unpack.on('error', (err: Error) => fail(invalid(`request body is not a valid tar archive: ${err.message}`)));
    source.on('error', fail);
    unpack.on('close', () => {
      if (settled) return;
      if (refusals.length > 0) return fail(invalid(`tar archive refused: ${refusals.slice(0, 5).join('; ')}`));
      restoreSymlinks(dir, absoluteSymlinks).then(() => { settled = true; resolve(); }, fail);
    });
    source.pipe(unpack);
  });
}

async function restoreSymlinks(dir: string, links: Array<{ entryPath: string; target: string }>): Promise<void> {
  for (const { entryPath, target } of links) {
    const where = path.join(dir, entryPath.replace(/\/+$/, ''));
    await fsp.rm(where, { force: true });
    await fsp.symlink(target, where);
  }
}

/** A tar stream of the entries directly inside `dir` (symlinks kept as links). */
export async function packDirectory(dir: string): Promise<Readable> {
  const entries = await fsp.readdir(dir);
  return tar.c({ cwd: dir, portable: true, follow: false }, entries) as unknown as Readable;
}

/** A guest path from `?path=`: absolute, no NUL, no `..` segment. */
export function checkGuestPath(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw invalid('query parameter "path" is required (an absolute path inside the box)');
  if (raw.includes('\0')) throw invalid('path must not contain NUL characters');
  if (!raw.startsWith('/')) throw invalid(`path must be absolute, got ${JSON.stringify(raw)}`);
  if (hasDotDot(raw)) throw invalid(`path must not contain '..' segments, got ${JSON.stringify(raw)}`);
  if (raw.length > 4096) throw invalid('path must be at most 4096 characters');
  return raw;
}
