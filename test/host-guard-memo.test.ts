// The Host guard remembers the last Host that passed (lib/http/guards/host-guard.ts):
// the same Host value on the same ports passes without being parsed again.
// Nothing else may ride on that memo: another Host, the same Host on another
// local port, or on a TLS socket (another implied port), is decided afresh.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { hostProblem, makeHostPolicy } from '../lib/http/guards/host-guard';

interface Init { localPort?: number; encrypted?: boolean; noSocket?: boolean }

function req(host: string, init: Init = {}): IncomingMessage {
  return {
    rawHeaders: ['Host', host],
    headers: { host },
    method: 'GET',
    httpVersion: '1.1',
    socket: init.noSocket ? undefined : { localPort: init.localPort ?? 8100, encrypted: init.encrypted },
  } as unknown as IncomingMessage;
}

describe('Host guard memo', () => {
  it('the same Host on the same port passes again, and is remembered only once it passed', () => {
    const policy = makeHostPolicy(undefined, true);
    expect(policy.lastPassed).toBeUndefined();
    expect(hostProblem(req('evil.example:8100'), policy)?.status).toBe(421);
    expect(policy.lastPassed).toBeUndefined(); // a refusal is never remembered
    for (let i = 0; i < 3; i++) expect(hostProblem(req('localhost:8100'), policy)).toBeNull();
    expect(policy.lastPassed).toEqual({ raw: 'localhost:8100', local: 8100, implied: 80 });
  });

  it('a different Host right after one that passed is decided afresh', () => {
    const policy = makeHostPolicy(undefined, true);
    expect(hostProblem(req('127.0.0.1:8100'), policy)).toBeNull();
    expect(hostProblem(req('127.0.0.1:8101'), policy)?.status).toBe(421);
    expect(hostProblem(req('evil.example:8100'), policy)?.status).toBe(421);
    expect(hostProblem(req('127.0.0.1:8100 '), policy)).toBeNull(); // trimmed, a passing spelling of its own
    expect(policy.lastPassed?.raw).toBe('127.0.0.1:8100 ');
  });

  it('the same Host arriving on another local port is refused', () => {
    const policy = makeHostPolicy(undefined, true);
    expect(hostProblem(req('localhost:8100', { localPort: 8100 }), policy)).toBeNull();
    expect(hostProblem(req('localhost:8100', { localPort: 9000 }), policy)?.status).toBe(421);
    expect(hostProblem(req('localhost:8100', { localPort: 8100 }), policy)).toBeNull();
  });

  it('a Host without a port passes on 80 in clear, not on a TLS socket listening on 80', () => {
    const policy = makeHostPolicy(undefined, true);
    expect(hostProblem(req('localhost', { localPort: 80 }), policy)).toBeNull();
    expect(hostProblem(req('localhost', { localPort: 80, encrypted: true }), policy)?.status).toBe(421);
    expect(hostProblem(req('localhost', { localPort: 443, encrypted: true }), policy)).toBeNull();
    expect(hostProblem(req('localhost', { localPort: 80 }), policy)).toBeNull(); // back in clear: passes again
  });

  it('listed names are remembered the same way, and no socket means any port', () => {
    const policy = makeHostPolicy(['box.internal:9000', '.corp.example'], false);
    expect(hostProblem(req('box.internal:9000', { localPort: 1 }), policy)).toBeNull();
    expect(hostProblem(req('box.internal:9001', { localPort: 1 }), policy)?.status).toBe(421);
    expect(hostProblem(req('a.corp.example', { localPort: 1 }), policy)).toBeNull();
    expect(hostProblem(req('corp.example.evil', { localPort: 1 }), policy)?.status).toBe(421);
    expect(hostProblem(req('localhost:5', { noSocket: true }), policy)).toBeNull();
    expect(hostProblem(req('localhost:5', { localPort: 6 }), policy)?.status).toBe(421);
  });

  it('policies do not share a memo', () => {
    const a = makeHostPolicy(undefined, true);
    const b = makeHostPolicy(['only.example'], false);
    expect(hostProblem(req('localhost:8100'), a)).toBeNull();
    expect(hostProblem(req('localhost:8100', { localPort: 1 }), b)?.status).toBe(421);
  });
});
