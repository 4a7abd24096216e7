// Why wait() settles one process.nextTick late.
//
// An Execution's output may be pushed into its Readables before the caller
// even holds the Execution (the process ended first: what was kept is handed
// to the streams unasked, README "Output"). The usual caller then writes
//
//   const ex = await box.exec('echo', ['hi']);
//   ex.stdout.on('data', (c) => { text += c; });
//   await ex.wait();
//
// Attaching 'data' resumes the stream on the next tick, but an await on a
// promise that is already settled continues in a microtask, and microtasks
// run before that tick: wait() would resume the caller before the 'data'
// events of output that was already there (seen: 49 of 1,500 `echo hi` runs at
// 10 concurrent). Settling each wait() a tick after it is asked for lets every
// flow a caller started before it run first.

/**
 * `settled` as a new promise that settles (with the same value or reason) one
 * process.nextTick after `settled` did, and no earlier than a tick after this
 * call. Its rejection is marked handled, as the promise it follows is: a
 * caller that drops it must not crash the process.
 */
export function settleAfterPendingTicks<T>(settled: Promise<T>): Promise<T> {
  const later = settled.then(
    (value) => new Promise<T>((resolve) => { process.nextTick(resolve, value); }),
    (err: unknown) => new Promise<T>((_resolve, reject) => { process.nextTick(reject, err); }),
  );
  later.catch(() => {});
  return later;
}
