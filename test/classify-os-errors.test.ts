// The classifier's resource and caller-mistake rules for OS errors: Node.js
// system errors and the engine's Internal "(os error N)" texts.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { InternalError, StorageError } from '../lib/errors/errors';

describe('OS resource errors are 503, never 500', () => {
  it('Node system errors EMFILE, ENFILE, EAGAIN, ENOMEM -> 503 retryable', () => {
    for (const code of ['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']) {
      const err = Object.assign(new Error(`${code}: out of something, open '/x'`), { code, errno: -24, syscall: 'open' });
      const c = classifyError(err);
      expect(c.status).toBe(503);
      expect(c.retryable).toBe(true);
    }
  });

  it('a real EMFILE-like Node error keeps its row through a wrapper cause', () => {
    const inner = Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE', syscall: 'open' });
    expect(classifyError(new Error('staging failed', { cause: inner })).status).toBe(503);
  });

  it('a string code alone is not a system error; other errno codes stay 500', () => {
    expect(classifyError(Object.assign(new Error('x'), { code: 'EMFILE' })).status).toBe(500);
    try {
      fs.readFileSync('/definitely/not/here');
    } catch (err) {
      expect(classifyError(err).status).toBe(500); // ENOENT: not a resource shortage
    }
  });

  it('engine Internal errors naming EMFILE/ENFILE/EAGAIN/ENOMEM -> 503 engine_unavailable', () => {
    for (const n of [24, 23, 11, 12]) {
      const c = classifyError(new InternalError(`internal error: spawn_failed: internal error: boom (os error ${n})`));
      expect(c).toMatchObject({ status: 503, code: 'engine_unavailable', retryable: true });
    }
    // The SDK's plain Error with the same text classifies alike.
    expect(classifyError(new Error('internal error: I/O error: Too many open files (os error 24)')).status).toBe(503);
  });

  it('engine Internal errors naming E2BIG or ENAMETOOLONG -> 400; other numbers and codes untouched', () => {
    expect(classifyError(new InternalError('internal error: spawn_failed: internal error: Argument list too long (os error 7)')).status).toBe(400);
    expect(classifyError(new InternalError('internal error: I/O error: File name too long (os error 36)')).status).toBe(400);
    expect(classifyError(new InternalError('internal error: I/O error: Input/output error (os error 5)')).status).toBe(500);
    expect(classifyError(new InternalError('internal error: (os error 240)')).status).toBe(500);
    expect(classifyError(new InternalError('internal error: (os error 24')).status).toBe(500);
    // Only Internal goes through these fallbacks: a Storage error keeps its own row.
    expect(classifyError(new StorageError('storage error: disk (os error 24)')).status).toBe(classifyError(new StorageError('storage error: disk')).status);
  });
});
