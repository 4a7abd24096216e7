// What lib/http/guards/limits.ts reports to its observer (issue 18: the
// boxlite:limit.rejection event and the rejection counters are built on it),
// taken directly so that the mutation gate's guards group sees it: every
// refusal, with its option, value and what was held, and nothing for a slot
// granted; an observer that throws changes no answer.
import { describe, expect, it } from 'vitest';
import { Limits } from '../lib/http/guards/limits';

describe('Limits reports its refusals', () => {
  it('reports every refusal (and only refusals) to its observer; a throwing observer changes no answer', () => {
    const seen: unknown[][] = [];
    const l = new Limits({ maxExecutions: 2, maxExecutionsPerBox: 1, maxBoxes: 1, maxAttachSockets: 1, maxFileTransfers: 1 },
      (...args) => { seen.push(args); });
    l.acquireExecution('a');
    expect(() => l.acquireExecution('a')).toThrow(/maxExecutionsPerBox/);
    l.acquireExecution('b');
    expect(() => l.acquireExecution('c')).toThrow(/maxExecutions\)/);
    const created = l.acquireBoxCreation(0, l.boxCountMark());
    expect(() => l.acquireBoxCreation(0, l.boxCountMark())).toThrow(/maxBoxes/);
    created(true);
    l.acquireAttachSocket();
    expect(() => l.acquireAttachSocket()).toThrow(/maxAttachSockets/);
    l.acquireFileTransfer();
    expect(() => l.acquireFileTransfer()).toThrow(/maxFileTransfers/);
    expect(seen).toEqual([
      ['maxExecutionsPerBox', 1, 1], ['maxExecutions', 2, 2], ['maxBoxes', 1, 1], ['maxAttachSockets', 1, 1], ['maxFileTransfers', 1, 1],
    ]);
    const throwing = new Limits({ maxExecutions: 1, maxExecutionsPerBox: 1, maxBoxes: 1, maxAttachSockets: 1, maxFileTransfers: 1 },
      () => { throw new Error('observer bug'); });
    throwing.acquireFileTransfer();
    expect(() => throwing.acquireFileTransfer()).toThrow(/resource exhausted: 1 file transfers are in progress \(limit 1, option maxFileTransfers\)/);
  });


  it('works without an observer', () => {
    const l = new Limits({ maxExecutions: 1, maxExecutionsPerBox: 1, maxBoxes: 1, maxAttachSockets: 1, maxFileTransfers: 1 });
    l.acquireAttachSocket();
    expect(() => l.acquireAttachSocket()).toThrow(/resource exhausted: 1 WebSockets are attached \(limit 1, option maxAttachSockets\)/);
  });
});
