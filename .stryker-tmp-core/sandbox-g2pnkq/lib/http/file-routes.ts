// @ts-nocheck
// PUT/GET P/boxes/{id}/files?path=: tar in, tar out. The engine copies host
// paths, so each transfer goes through a private temp directory that is
// removed afterwards whatever happens.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BoxliteErrorCode, NotFoundError, UnsupportedError, isBoxliteError } from '../errors';
import { checkDeclaredLength } from './body';
import { type Route, type RouteContext, boxIdOf, queryParam, route } from './context';
import { payloadTooLarge } from './http-error';
import { sendEmpty } from './respond';
import { checkGuestPath, extractTar, packDirectory } from './tar-transfer';
import { invalid } from './validate';

async function withTempDir<T>(ctx: RouteContext, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(ctx.state.options.tmpDir, 'boxlite-files-'));
  try {
    return await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
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

export const uploadFiles: Route = route(async (ctx) => {
  const dest = checkGuestPath(queryParam(ctx, 'path'));
  // libboxlite's copy always overwrites; refusing beats pretending.
  if (!checkBoolean(ctx, 'overwrite', true)) throw new UnsupportedError('unsupported: overwrite=false is not supported (copies always overwrite)');
  // Client 0.10.3 says what it packed; 0.10.0 does not, and the archive tells.
  const sourceIsDir = queryParam(ctx, 'source_is_dir') === undefined ? undefined : checkBoolean(ctx, 'source_is_dir', false);
  const limit = ctx.state.options.filesLimit;
  checkDeclaredLength(ctx.req, limit);
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await withTempDir(ctx, async (dir) => {
    const staged = path.join(dir, 'in');
    await fsp.mkdir(staged);
    const limiter = byteLimit(limit);
    ctx.req.on('error', (err) => limiter.destroy(err));
    limiter.on('error', () => ctx.req.resume());
    await extractTar(ctx.req.pipe(limiter), staged);
    // `docker cp` semantics, which BoxLite clients follow: an archive of one
    // file is that file, written *as* `dest` (or into it when `dest` is an
    // existing directory or ends in '/'); any other archive is a directory
    // whose contents land in `dest`.
    const single = sourceIsDir === true ? null : await singleFile(staged);
    await box.copyIn(single ?? staged, dest);
  });
  sendEmpty(ctx.res, 204, ctx.requestId);
});

export const downloadFiles: Route = route(async (ctx) => {
  const src = checkGuestPath(queryParam(ctx, 'path'));
  if (checkBoolean(ctx, 'follow_symlinks', false)) {
    throw new UnsupportedError('unsupported: follow_symlinks=true is not supported (copies never follow symlinks)');
  }
  const box = await ctx.state.runtime.getBox(boxIdOf(ctx));
  await withTempDir(ctx, async (dir) => {
    const out = path.join(dir, 'out');
    await fsp.mkdir(out);
    try {
      await box.copyOut(src, out);
    } catch (err) {
      // libboxlite reports a missing source as a bare I/O error (Internal);
      // here it can only mean the caller named a path that is not there.
      if (isBoxliteError(err, BoxliteErrorCode.Internal) && err.message.includes('(os error 2)')) {
        throw new NotFoundError(`box not found: ${src} does not exist in box ${box.id} (${err.message})`, { cause: err });
      }
      throw err;
    }
    const archive = await packDirectory(out);
    // From here on the status line is sent: a failure can only cut the stream.
    ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Request-Id': ctx.requestId });
    await pipeline(archive, ctx.res);
  });
});
