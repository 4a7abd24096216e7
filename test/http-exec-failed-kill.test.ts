// DELETE .../executions/{id} whose kill the engine refuses: the answer is the
// engine's error, and the execution is left as it was, so when it later
// exits by itself its status is what happened (completed), not `killed`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxliteErrorCode } from '../lib/errors/errors';
import { type Served, attach, attachUrl, createBox, expectEnvelope, request, serve, startExec } from './http-support';

let s: Served;
beforeAll(async () => { s = await serve(); });
afterAll(async () => { await s.close(); });

describe('a DELETE whose kill failed', () => {
  it('leaves the execution as it was: a later natural exit reads completed', async () => {
    const box = await createBox(s.origin);
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'read line; echo "got $line"'] });
    const url = `${s.origin}/v1/boxes/${box}/executions/${eid}`;
    s.t.injectFault({ op: 'kill', code: BoxliteErrorCode.InvalidState, message: 'invalid state: injected kill refusal' });
    const refused = expectEnvelope(await request(url, { method: 'DELETE' }), 409, 'invalid_state');
    expect(refused.message).toBe('invalid state: injected kill refusal');
    s.t.clearFaults();
    expect((await request(url)).json).toMatchObject({ status: 'running' });
    const at = await attach(attachUrl(s.origin, box, eid));
    at.ws.send(Buffer.from('hello\n'));
    expect(await at.closed).toEqual({ exitCode: 0, closeCode: 1000 });
    expect(at.stdout()).toBe('got hello\n');
    expect((await request(url)).json).toMatchObject({ status: 'completed', exit_code: 0, error_message: null });
  });
});
