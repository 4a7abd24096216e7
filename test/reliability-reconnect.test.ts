// Reconnects lose nothing the kernel did not already take: README "Limits
// and guarantees". Real server child process, real ws clients.
import { describe, expect, it } from 'vitest';
import { scenario } from './reliability-support';

describe('reconnect', () => {
  it('5 graceful closes while 64 MiB stream: received == written', async () => {
    const row = await scenario('reconnect-graceful.js').run({ scale: 1 / 16 });
    expect(row.statuses[0]).toBe('exit 0');
    expect(row.bytesReceived).toBe(row.bytesWritten);
  }, 60_000);

  it('5 abrupt drops (terminate) while 64 MiB stream: loss within the kernel buffers bound, never more bytes than written', async () => {
    const row = await scenario('reconnect.js').run({ scale: 1 / 16 });
    expect(row.statuses[0]).toBe('exit 0');
    expect(row.bytesReceived).toBeLessThanOrEqual(row.bytesWritten);
    expect(row.bytesWritten - row.bytesReceived).toBeLessThanOrEqual(row.lossBound!);
    expect(row.fdsAfter).toBeLessThanOrEqual(row.fdsBefore);
  }, 60_000);
});
