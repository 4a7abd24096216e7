// PUT/GET P/boxes/{id}/files?path=: tar in, tar out. The engine copies host
// paths (libboxlite's ABI has no streaming copy), so each transfer goes
// through a private staging directory that is removed afterwards whatever
// happens: success, client disconnect, 413, a refused archive, an engine
// error. Every stream is destroyed and every descriptor closed before it is
// removed, so nothing stays open on a deleted file.
//
// Bounds (README "Limits and guarantees"):
//  - upload: at most `filesLimit` bytes on the wire and `maxExtractedBytes`
//    of file contents once extracted, whatever the compression (413);
//  - download: the engine's copy into staging is watched; past
//    `maxDownloadStagingBytes` of disk the download is refused (413) and the
//    staged files are truncated as the engine keeps writing them, so a huge or
//    sparse source cannot fill the disk. Once staged, the archive is streamed
//    from the staged files: no archive is ever staged whole;
//  - at most `maxFileTransfers` transfers at once (429).
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback, finished } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BoxliteErrorCode, NotFoundError, UnsupportedError, isBoxliteError } from '../../errors/errors';
import { checkDeclaredLength } from '../protocol/body';
import { type Route, type RouteContext, boxIdOf, queryParam, route } from '../routing/context';
import { httpError, payloadTooLarge } from '../protocol/http-error';
import { sendEmpty } from '../protocol/respond';
import { hideStagingPath, watchStaging } from './staging';
import { stagingPrefix } from './staging-owner';
import { type Extracted, checkGuestPath, closeArchive, extractTar, packDirectory } from './tar-transfer';
import { invalid } from '../protocol/validate';

/**
 * Runs `fn` in a fresh staging directory, holding a maxFileTransfers slot;
 * removes the directory whatever happens, and keeps its host path out of any
 * error the caller will see.
 */
async function withTempDir<T>(ctx: RouteContext, fn: (dir: string) => Promise<T>): Promise<T> {
  const release = ctx.state.limits.acquireFileTransfer();
  let dir: string | undefined;
  try {
    // Named after this process (staging-owner.ts), so a later start can tell
    // it from another live server's and sweep it if this one is killed.
    dir = await fsp.mkdtemp(path.join(ctx.state.options.tmpDir, stagingPrefix()));
    return await fn(dir);
  } catch (err) {
    throw dir === undefined ? err : hideStagingPath(err, dir);
  } finally {
    if (dir !== undefined) await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    release();
  }
}

/** Passes bytes through, failing with 413 past `limit` (chunked bodies announce no length). */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(payloadTooLarge(limit));
      else done(null, chunk);
    },
  });
}

function checkBoolean(ctx: RouteContext, name: string, dflt: boolean): boolean {
  const raw = queryParam(ctx, name);
  if (raw === undefined) return dflt;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw invalid(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** The path of the archive's only entry when that entry is not a directory, else null. */
async function singleFile(dir: string): Promise<string | null> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  if (entries.length !== 1 || entries[0].isDirectory()) return null;
  return path.join(dir, entries[0].name);
}

/** How long a refused upload's body is read and thrown away before answering anyway (ms). */
const REFUSED_BODY_LINGER_MS = 10_000;

/**
 * A refused upload whose body is still arriving: read it and throw it away
 * until it ends (at most REFUSED_BODY_LINGER_MS), then answer. Answering at
 * once and closing (the client sent `Connection: close`, or we must close to
 * skip the body) cuts a connection the client is still writing to: its kernel
 * resets it and the client loses our answer (the 413 or 400 that says why)
 * unread. Past the linger time the body is paused again, so the answer says
 * `Connection: close` and the connection ends with it.
 */
function drainRefusedBody(req: RouteContext['req']): Promise<void> {
  // HTTP/2 refuses the rest of a body by resetting its stream alone (Node
  // sends RST_STREAM NO_ERROR once the answer is complete): the connection,
  // and the answer on it, stay. Nothing to wait for.
  if (req.complete || req.destroyed || req.httpVersionMajor === 2) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      req.off('end', done);
      req.off('close', done);
      resolve();
    };
    const timer = setTimeout(() => { req.pause(); done(); }, REFUSED_BODY_LINGER_MS);
    timer.unref();
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

export const uploadFiles: Route = route(async (ctx) => {
  try {
    await upload(ctx);
  } catch (err) {
    await drainRefusedBody(ctx.req);
    throw err;
  }
});

async function upload(ctx: RouteContext): Promise<void> {
  const dest = checkGuestPath(queryParam(ctx, 'path'));
  // libboxlite's copy always overwrites; refusing beats pretending.
  if (!checkBoolean(ctx, 'overwrite', true)) throw new UnsupportedError('unsupported: overwrite=false is not supported (copies always overwrite)');
  // Not in BoxLite's document: a client that says what it packed is still
  // heard; others are read from the archive (its `./` root entry, below).
  const sourceIsDir = queryParam(ctx, 'source_is_dir') === undefined ? undefined : checkBoolean(ctx, 'source_is_dir', false);
  const limit = ctx.state.options.filesLimit;
  checkDeclaredLength(ctx.req, limit);
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await withTempDir(ctx, async (dir) => {
    const staged = path.join(dir, 'in');
    await fsp.mkdir(staged);
    const limiter = byteLimit(limit);
    const req = ctx.req;
    // A client that goes away mid-body ('error', or only 'close' before the
    // body completed), also when it went away before this point (while the
    // box was looked up or the directory made): finished() reports a stream
    // that is already closed too, so the extraction never waits for a body
    // that cannot come.
    const stopWatching = finished(req, { writable: false }, (err) => {
      if (err || !req.complete) limiter.destroy(new Error('aborted: the client closed the connection mid-upload'));
    });
    limiter.on('error', () => req.resume());
    let extracted: Extracted;
    try {
      extracted = await extractTar(req.pipe(limiter), staged, ctx.state.options.maxExtractedBytes);
    } finally {
      req.unpipe(limiter);
      limiter.destroy();
      stopWatching();
    }
    // `docker cp` semantics, which BoxLite clients follow: an archive of one
    // file is that file, written *as* `dest` (or into it when `dest` is an
    // existing directory or ends in '/'); any other archive is a directory
    // whose contents land in `dest`. An archive rooted at `./` is a directory
    // even when it holds one file (BoxLite's client packs directories so).
    const isDirectory = sourceIsDir ?? extracted.rootDirectory;
    const single = isDirectory ? null : await singleFile(staged);
    await box.copyIn(single ?? staged, dest);
  });
  sendEmpty(ctx.res, 204, ctx.requestId);
}

export const downloadFiles: Route = route(async (ctx) => {
  const src = checkGuestPath(queryParam(ctx, 'path'));
  if (checkBoolean(ctx, 'follow_symlinks', false)) {
    throw new UnsupportedError('unsupported: follow_symlinks=true is not supported (copies never follow symlinks)');
  }
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await withTempDir(ctx, async (dir) => {
    const out = path.join(dir, 'out');
    await fsp.mkdir(out);
    const watch = watchStaging(out, ctx.state.options.maxDownloadStagingBytes);
    try {
      await box.copyOut(src, out);
    } catch (err) {
      // libboxlite reports a missing source as a bare I/O error (Internal);
      // here it can only mean the caller named a path that is not there.
      if (isBoxliteError(err, BoxliteErrorCode.Internal) && err.message.includes('(os error 2)')) {
        throw new NotFoundError(`box not found: ${src} does not exist in box ${box.id} (${err.message})`, { cause: err });
      }
      throw err;
    } finally {
      await watch.stop();
    }
    if (watch.exceeded) {
      throw httpError(413, `invalid argument: ${src} is larger than this server's download limit of `
        + `${ctx.state.options.maxDownloadStagingBytes} bytes (maxDownloadStagingBytes)`);
    }
    // What is not a regular file, directory or symlink (a FIFO, a socket, a
    // device) cannot travel as content: the test engine's copy skips it, an
    // engine that recreates it leaves a node the packer never opens (opening
    // a FIFO would block). Nothing to send is the caller's mistake.
    const staged = await fsp.readdir(out, { withFileTypes: true });
    if (!staged.some((e) => e.isFile() || e.isDirectory() || e.isSymbolicLink())) {
      throw invalid(`${src} is not a regular file, directory or symlink (a FIFO, socket or device cannot be downloaded)`);
    }
    const archive = await packDirectory(out);
    // From here on the status line is sent: a failure can only cut the stream.
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Request-Id': ctx.requestId });
    try {
      await pipeline(archive, ctx.res);
    } finally {
      // pipeline destroys both on failure; the packer must also let go of the
      // file it was reading before the staging directory goes.
      await closeArchive(archive);
    }
  });
});
