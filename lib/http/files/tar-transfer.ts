// Tar archives <-> a host directory, for the files routes (the engine copies
// host paths in and out of a box; the wire carries tar).
//
// Reading: the `tar` package (node-tar, npm's own) parses the archive (plain
// or compressed, detected from its first bytes) and nothing else. Writing the
// entries is ours, because every path must end cleanly: node-tar's extractor
// leaves the file it is writing open forever when its input stops mid-entry
// (a client that disconnects), which leaked one descriptor and one
// deleted-but-open staging file per aborted upload. Here:
//  - one entry is written at a time, through one FileHandle that is closed in
//    a `finally`; an abort (client gone, 413, refused entry) interrupts the
//    entry being written, and extractTar settles only after that handle is
//    closed, so the caller can remove the staging directory right after;
//  - the bytes the archive's files hold (plus 512 per entry, so empty entries
//    count too; a hardlink as many bytes as its target, since the copy into
//    the box writes it whole) are counted from their headers before anything is written,
//    against `maxBytes`, whatever the compression ratio (a few MB of gzip
//    cannot expand into GBs); past it the upload fails with 413;
//  - refused rather than rewritten: absolute or `..` paths, names the host
//    cannot hold (NAME_MAX, PATH_MAX under the staging directory), devices,
//    fifos, entry types node-tar skips by itself (GNU sparse files, volume
//    headers, unknown types: dropping them answered 204 without them), an
//    extended header past node-tar's size bound (skipped, it left the next
//    entry named by its truncated ustar name), hardlinks out of the archive
//    or to themselves, and entries that conflict with an earlier
//    one (a symlink `s` then a directory `s/` or a file `s/f`: written through,
//    it would land outside what was sent). So no entry is ever written through
//    a symlink, and symlinks (targets kept verbatim: `/usr/bin/python ->
//    /usr/bin/python3` must stay absolute in the box) are created last;
//  - errors never carry the host staging path (the caller sees entry names).
import { constants as fsc, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import * as tar from 'tar';
import { MAX_PATH_BYTES, pathLengthProblem } from '../exec/exec-request';
import { httpError } from '../protocol/http-error';
import { invalid } from '../protocol/validate';

/** The tar block: every header takes one. */
const BLOCK = 512;

/**
 * All of `chunk` at the file's offset: a write may take fewer bytes than it is
 * given (POSIX allows it for regular files too) and FileHandle.write does not
 * retry, so the rest is written until none is left.
 */
async function writeAll(fh: fsp.FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
    // A write that takes nothing would be retried forever: a server fault, not the upload's.
    if (bytesWritten === 0) throw new Error('extracting an upload: a write to the staging file wrote nothing');
    off += bytesWritten;
  }
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

function hasDotDot(p: string): boolean {
  return p.split('/').includes('..');
}

type Kind = 'file' | 'dir' | 'symlink';

/** An archive path as a relative path: no `./`, no empty or trailing segments. */
function normalizeEntryPath(p: string): string {
  return p.split('/').filter((seg) => seg !== '' && seg !== '.').join('/');
}

/** Where a POSIX (ustar) or GNU tar header says "ustar": a plain archive. */
const USTAR_MAGIC_AT = 257;
/**
 * Where inflating stops (output over input so far). Deflate cannot go past
 * about 1032:1, so no gzip upload is refused for its ratio: node-tar's default
 * of 1000 refused the tar.gz of a mostly-zero file (1026:1), which BoxLite's
 * server takes. Brotli and zstd can go far past it and are still stopped
 * there; what is written is bounded by maxExtractedBytes anyway, and what is
 * held by INFLATE_SLICE.
 */
const MAX_INFLATE_RATIO = 1100;
/** Compressed input reaches the parser in pieces of this many bytes at most. */
const INFLATE_SLICE = 1024;

/**
 * The upload as the parser should get it: a plain archive as it comes,
 * anything else (gzip, brotli, zstd, a tar without ustar magic) in
 * INFLATE_SLICE pieces. node-tar inflates each write at once into the entry
 * being written, which waits for the disk: one 64 KiB socket read of gzip
 * held up to 64 MiB there (node-tar stops only past 1000:1). A 1 KiB piece
 * inflates to about 1 MiB at most; the pieces not yet taken wait compressed
 * in this stream, since the pipe stops as soon as the parser asks it to.
 */
function parserInput(): Transform {
  let head: Buffer | null = Buffer.alloc(0); // the first bytes, until the kind is known
  let slice = 0; // 0: passed through whole
  function pushAll(t: Transform, chunk: Buffer): void {
    if (slice === 0) t.push(chunk);
    else for (let off = 0; off < chunk.length; off += slice) t.push(chunk.subarray(off, off + slice));
  }
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      if (head !== null) {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        if (head.length < USTAR_MAGIC_AT + 5) {
          done();
          return;
        }
        slice = head.toString('latin1', USTAR_MAGIC_AT, USTAR_MAGIC_AT + 5) === 'ustar' ? 0 : INFLATE_SLICE;
        chunk = head;
        head = null;
      }
      pushAll(this, chunk);
      done();
    },
    flush(done: TransformCallback) {
      if (head !== null && head.length > 0) this.push(head); // under 262 bytes: whatever it is, it is small
      done();
    },
  });
}

/** 413 for an archive whose files hold more than `maxBytes`. */
export function extractedTooLarge(maxBytes: number): Error {
  return httpError(413, `invalid argument: the archive's files exceed the limit of ${maxBytes} bytes once extracted (maxExtractedBytes)`);
}

/** What an extracted archive said about itself. */
export interface Extracted {
  /** It carried a directory entry for its own root (`./`): the archive of a directory, however many entries it holds. */
  rootDirectory: boolean;
}

/**
 * Extract the tar stream `source` into the empty directory `dir`. Rejects with
 * a 400 for a refused archive, a 413 past `maxBytes` of file contents, or the
 * source's own error, and only once no descriptor under `dir` is open.
 */
export function extractTar(source: Readable, dir: string, maxBytes: number): Promise<Extracted> {
  const kinds = new Map<string, Kind>();
  /** Bytes each regular file (or hardlink) will write, by entry name. */
  const sizes = new Map<string, number>();
  let rootDirectory = false;
  const symlinks: Array<{ name: string; target: string }> = [];
  let extracted = 0;
  let failure: unknown = null;
  /** Interrupts the entry being written (rejects its wait for data). */
  let interrupt: ((err: unknown) => void) | null = null;
  let queue: Promise<void> = Promise.resolve();
  let settle: () => void = () => undefined;
  const input = parserInput();
  const parser = new tar.Parser({
    strict: false,
    maxDecompressionRatio: MAX_INFLATE_RATIO,
    onwarn: (code: string, message: string) => {
      if (code !== 'TAR_ENTRY_INFO') fail(invalid(`request body is not a valid tar archive: ${code}: ${message}`));
    },
  });

  const refuse = (name: string, why: string) => invalid(`tar archive refused: ${JSON.stringify(name)}: ${why}`);

  function fail(err: unknown): void {
    if (failure !== null) return;
    failure = err;
    input.unpipe(parser as unknown as NodeJS.WritableStream);
    input.resume(); // drain what the client still sends; the answer closes the connection
    source.resume();
    interrupt?.(err);
    // Settle once the entry in progress has let go of its file (the queue
    // holds it); entries queued after it see `failure` and only drain.
    void queue.then(() => settle());
  }

  /** Why `name` is too long a path under `dir` (PATH_MAX counts the staging directory), or null. */
  function roomProblem(name: string): string | null {
    const room = MAX_PATH_BYTES - Buffer.byteLength(dir) - 1;
    const n = Buffer.byteLength(name);
    return n > room ? `the entry path is ${n} bytes; at most ${room} bytes can be extracted here (Linux PATH_MAX)` : null;
  }

  function check(entry: tar.ReadEntry, name: string): Kind | 'link' {
    if (!ALLOWED_TYPES.has(entry.type)) throw refuse(entry.path, `unsupported entry type ${entry.type}`);
    if (entry.path.startsWith('/')) throw refuse(entry.path, 'absolute path');
    if (hasDotDot(entry.path)) throw refuse(entry.path, "path contains '..'");
    // ENAMETOOLONG from the write below would be a 500; the archive is at fault.
    const tooLong = pathLengthProblem(name, 'the entry path') ?? roomProblem(name);
    if (tooLong !== null) throw refuse(entry.path, tooLong);
    const made = newAncestors(entry, name);
    const kind: Kind | 'link' = entry.type === 'Directory' ? 'dir' : entry.type === 'SymbolicLink' ? 'symlink'
      : entry.type === 'Link' ? 'link' : 'file';
    const before = kinds.get(name);
    const sameKind = before === (kind === 'link' ? 'file' : kind);
    if (before !== undefined && (!sameKind || kind === 'symlink')) {
      throw refuse(entry.path, `conflicts with the earlier ${before} of the same name`);
    }
    if (kind === 'link') {
      const target = normalizeEntryPath(entry.linkpath ?? '');
      // To itself: the name is removed before the link is made, so its target would be gone.
      if ((entry.linkpath ?? '').startsWith('/') || hasDotDot(entry.linkpath ?? '') || kinds.get(target) !== 'file' || target === name) {
        throw refuse(entry.path, 'a hardlink must point to another regular file earlier in the archive');
      }
    }
    // Each entry costs its header's 512 bytes plus its contents: so many empty
    // entries are bounded too (inodes), and an uncompressed archive that lists
    // its directories and fits filesLimit always fits a maxExtractedBytes equal
    // to it. A directory made for a deeper entry costs 512 too, as if listed:
    // one header 200 levels deep made 200 directories for 512 counted bytes
    // (2 million of them fit 1 GiB). A hardlink costs
    // what its target holds: it is free in staging, but the engine's copy
    // into the box writes it as one more file (one 8 MiB file and 100 links
    // to it wrote 808 MiB into the box from 8.5 MB on the wire).
    const bytes = kind === 'file' ? entry.size ?? 0 : kind === 'link' ? sizes.get(normalizeEntryPath(entry.linkpath ?? '')) ?? 0 : 0;
    if (kind === 'file' || kind === 'link') sizes.set(name, bytes);
    extracted += BLOCK * (1 + made.length) + bytes;
    if (extracted > maxBytes) throw extractedTooLarge(maxBytes);
    // Parents made implicitly are directories too: a later entry of the same
    // name but another kind (file `a` after `a/f`) is a conflict, not an overwrite.
    for (const ancestor of made) kinds.set(ancestor, 'dir');
    return kind;
  }

  /**
   * The ancestors of `name` not in the archive yet, which extracting it makes
   * (deepest first); refuses one that is not a directory. Every ancestor of a
   * known path is a known directory (check() records them), so the walk up
   * stops at the first known one: an entry costs its own depth once, not the
   * square of it (1000 nested directory entries took 5 s of CPU).
   */
  function newAncestors(entry: tar.ReadEntry, name: string): string[] {
    const made: string[] = [];
    for (let slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
      const ancestor = name.slice(0, slash);
      const kind = kinds.get(ancestor);
      if (kind === 'dir') break;
      if (kind !== undefined) throw refuse(entry.path, `conflicts with the earlier ${kind} ${JSON.stringify(ancestor)}`);
      made.push(ancestor);
    }
    return made;
  }

  async function writeFile(entry: tar.ReadEntry, where: string, mode: number): Promise<void> {
    await fsp.rm(where, { force: true });
    // O_EXCL|O_NOFOLLOW: never through a link, never into something already there.
    const fh = await fsp.open(where, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, mode);
    try {
      await new Promise<void>((resolve, reject) => {
        // Failed while the file was being opened: the entry's data may never
        // come (the source is gone), so waiting for it would never end.
        if (failure !== null) {
          reject(failure);
          return;
        }
        interrupt = reject;
        let writing = false;
        let ended = false;
        entry.on('data', (chunk: Buffer) => {
          entry.pause();
          writing = true;
          writeAll(fh, chunk).then(() => {
            writing = false;
            if (ended) resolve();
            else entry.resume();
          }, reject);
        });
        entry.on('end', () => {
          ended = true;
          if (!writing) resolve();
        });
        entry.on('error', reject);
        // Adding the 'data' listener already resumed the entry (minipass does
        // so at once) and its first buffered chunk may be being written now:
        // resuming again would emit the next one while that write is in
        // flight, and two writes at the file's offset can land out of order.
        if (!writing) entry.resume();
      });
    } finally {
      interrupt = null;
      await fh.close();
    }
  }

  async function handle(entry: tar.ReadEntry): Promise<void> {
    if (failure !== null) {
      entry.resume();
      return;
    }
    const name = normalizeEntryPath(entry.path);
    if (name === '') { // the archive's root ("./"): the staging dir itself
      if (entry.type === 'Directory') rootDirectory = true;
      entry.resume();
      return;
    }
    const kind = check(entry, name);
    const where = path.join(dir, name);
    const mode = (entry.mode ?? 0o644) & 0o777;
    await fsp.mkdir(path.dirname(where), { recursive: true });
    if (kind === 'dir') {
      kinds.set(name, 'dir');
      await fsp.mkdir(where, { recursive: true, mode: mode | 0o700 });
      entry.resume();
    } else if (kind === 'symlink') {
      kinds.set(name, 'symlink');
      symlinks.push({ name, target: entry.linkpath ?? '' });
      entry.resume();
    } else if (kind === 'link') {
      kinds.set(name, 'file');
      await fsp.rm(where, { force: true });
      await fsp.link(path.join(dir, normalizeEntryPath(entry.linkpath ?? '')), where);
      entry.resume();
    } else {
      kinds.set(name, 'file');
      await writeFile(entry, where, mode);
    }
  }

  return new Promise<Extracted>((resolve, reject) => {
    let ended = false;
    settle = () => {
      if (failure !== null) reject(failure);
      else resolve({ rootDirectory });
    };
    parser.on('entry', (entry: tar.ReadEntry) => {
      entry.pause();
      queue = queue.then(() => handle(entry)).catch((err) => {
        fail(err);
        entry.resume();
      });
    });
    // What node-tar skips by itself never reaches 'entry': an unknown or
    // unsupported type, or an extended header past maxMetaEntrySize.
    parser.on('ignoredEntry', (entry: tar.ReadEntry) => fail(entry.meta
      ? refuse(entry.path, `an extended header of ${entry.size} bytes is more than the ${parser.maxMetaEntrySize} bytes read`)
      : refuse(entry.path, `unsupported entry type ${entry.type}`)));
    parser.on('error', (err: Error) => fail(invalid(`request body is not a valid tar archive: ${err.message}`)));
    source.on('error', fail);
    parser.on('end', () => {
      if (ended) return;
      ended = true;
      void queue.then(async () => {
        if (failure === null) {
          try {
            for (const { name, target } of symlinks) await fsp.symlink(target, path.join(dir, name));
          } catch (err) {
            fail(invalid(`tar archive refused: cannot create symlink: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
          }
        }
        settle();
      });
    });
    source.pipe(input).pipe(parser as unknown as NodeJS.WritableStream);
  });
}

const READ_CHUNK = 64 << 10;

function headerBlocks(data: tar.HeaderData): Buffer[] {
  const header = new tar.Header(data);
  const blocks: Buffer[] = [];
  // Names past ustar's 100+155 bytes, or sizes past 8 GiB, need a PAX record first.
  if (header.encode()) blocks.push(new tar.Pax({ path: data.path, linkpath: data.linkpath, size: data.size, mtime: data.mtime }).encode());
  blocks.push(header.block as Buffer);
  return blocks;
}

/** Up to `size` bytes of the open file, then zeros to `size` and to the block boundary. */
async function* fileBody(fh: fsp.FileHandle, size: number): AsyncGenerator<Buffer> {
  let pos = 0;
  while (pos < size) {
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break; // shrank while we read: zeros keep the header's promise
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
  const pad = (size - pos) + ((BLOCK - (size % BLOCK)) % BLOCK);
  for (let left = pad; left > 0; left -= READ_CHUNK) yield Buffer.alloc(Math.min(READ_CHUNK, left));
}

/** `raw` as a string when it is UTF-8 (the usual case), else null. */
function utf8Name(raw: Buffer): string | null {
  const text = raw.toString('utf8');
  return Buffer.byteLength(text) === raw.length && Buffer.from(text).equals(raw) ? text : null;
}

/**
 * A GNU long-name record ('L' for the path, 'K' for a link target): the
 * name's own bytes, which ustar and PAX (UTF-8 only) cannot carry when they
 * are not UTF-8. GNU tar and libarchive read them back byte for byte.
 */
function gnuLongName(type: 'NextFileHasLongPath' | 'NextFileHasLongLinkpath', raw: Buffer): Buffer[] {
  const body = Buffer.concat([raw, Buffer.alloc(1)]);
  const header = new tar.Header({ path: '././@LongLink', type, mode: 0o644, size: body.length, mtime: new Date(0) });
  header.encode();
  return [header.block as Buffer, body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK)];
}

/** What stands in a header for a name carried by a long-name record (read by tars that skip the record). */
function placeholder(raw: Buffer): string {
  return raw.toString('latin1').replace(/[^\x20-\x7e]/g, '_').slice(0, 99);
}

/**
 * The header blocks of an entry whose path or link target are bytes (Linux
 * names need not be UTF-8): headerBlocks() as usual when they are UTF-8,
 * else GNU long-name records before a header holding placeholders.
 */
function rawHeaderBlocks(rawPath: Buffer, data: Omit<tar.HeaderData, 'path' | 'linkpath'>, rawLink?: Buffer): Buffer[] {
  const textPath = utf8Name(rawPath);
  const textLink = rawLink === undefined ? undefined : utf8Name(rawLink);
  if (textPath !== null && textLink !== null) return headerBlocks({ ...data, path: textPath, linkpath: textLink });
  const blocks: Buffer[] = [];
  if (textPath === null) blocks.push(...gnuLongName('NextFileHasLongPath', rawPath));
  if (textLink === null && rawLink !== undefined) blocks.push(...gnuLongName('NextFileHasLongLinkpath', rawLink));
  const header = new tar.Header({
    ...data,
    path: textPath ?? placeholder(rawPath),
    linkpath: rawLink === undefined ? undefined : textLink ?? placeholder(rawLink),
  });
  // A PAX record here would name the entry again (UTF-8): only what the long-name records do not carry.
  if (header.encode()) {
    blocks.push(new tar.Pax({
      path: textPath ?? undefined, linkpath: textLink ?? undefined, size: data.size, mtime: data.mtime,
    } as tar.HeaderData).encode());
  }
  blocks.push(header.block as Buffer);
  return blocks;
}

const SLASH = Buffer.from('/');

/**
 * The entries under `dir`/`rel`. Names are read and used as bytes: a name
 * that is not UTF-8, read as a string, came back with U+FFFD in it and could
 * not be opened, and the answer was cut after its 200.
 */
async function* entriesOf(dir: Buffer, rel: Buffer | null): AsyncGenerator<Buffer> {
  const here = rel === null ? dir : Buffer.concat([dir, SLASH, rel]);
  const names = (await fsp.readdir(here, { encoding: 'buffer' })).sort(Buffer.compare);
  for (const name of names) {
    const relPath = rel === null ? name : Buffer.concat([rel, SLASH, name]);
    const abs = Buffer.concat([dir, SLASH, relPath]);
    const st = await fsp.lstat(abs);
    const mode = st.mode & 0o7777;
    const mtime = st.mtime;
    if (st.isDirectory()) {
      yield* rawHeaderBlocks(Buffer.concat([relPath, SLASH]), { type: 'Directory', mode, mtime, size: 0 });
      yield* entriesOf(dir, relPath);
    } else if (st.isSymbolicLink()) {
      yield* rawHeaderBlocks(relPath, { type: 'SymbolicLink', mode, mtime, size: 0 }, await fsp.readlink(abs, { encoding: 'buffer' }));
    } else if (st.isFile()) {
      const fh = await fsp.open(abs, 'r');
      try {
        const size = (await fh.stat()).size;
        yield* rawHeaderBlocks(relPath, { type: 'File', mode, mtime, size });
        yield* fileBody(fh, size);
      } finally {
        // Runs on success, on error and when the consumer stops early (the
        // stream is destroyed and the generator returned): no fd outlives it.
        await fh.close();
      }
    } // anything else cannot be carried by tar: skipped, as the engine's copy does
  }
}

async function* archiveOf(dir: string): AsyncGenerator<Buffer> {
  yield* entriesOf(Buffer.from(dir), null);
  yield Buffer.alloc(2 * BLOCK);
}

/**
 * A tar stream of the entries inside `dir` (symlinks kept as links, owners
 * dropped), read from disk as the consumer pulls: at most one file is open
 * and one 64 KiB chunk in memory at a time, and destroying the stream closes
 * that file (await closeArchive() before removing `dir`).
 */
export function packDirectory(dir: string): Readable {
  return Readable.from(archiveOf(dir), { objectMode: false, highWaterMark: READ_CHUNK });
}

/** Resolves once `archive` is closed (its open file, if any, released). */
export function closeArchive(archive: Readable): Promise<void> {
  if (archive.closed) return Promise.resolve();
  return new Promise((resolve) => {
    archive.once('close', () => resolve());
    archive.destroy();
  });
}

/** A guest path from `?path=`: absolute, no NUL, no `..` segment. */
export function checkGuestPath(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw invalid('query parameter "path" is required (an absolute path inside the box)');
  if (raw.includes('\0')) throw invalid('path must not contain NUL characters');
  if (!raw.startsWith('/')) throw invalid(`path must be absolute, got ${JSON.stringify(raw)}`);
  if (hasDotDot(raw)) throw invalid(`path must not contain '..' segments, got ${JSON.stringify(raw)}`);
  const tooLong = pathLengthProblem(raw, 'path');
  if (tooLong !== null) throw invalid(tooLong);
  return raw;
}
