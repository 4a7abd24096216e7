'use strict';
// The row every stress scenario resolves to (bench/stress.js prints them):
// { scenario, peakRssMiB, fdsBefore, fdsAfter, bytesWritten, bytesReceived, statuses }.
const { countStatuses, memoryMiB, openFds } = require('./server-process');

/** Samples the server's fd count and RSS; `finish()` builds the row. */
function measure(server, scenario) {
  const fdsBefore = openFds(server.pid).count;
  let peakRss = memoryMiB(server.pid).rss;
  const timer = setInterval(() => {
    try { peakRss = Math.max(peakRss, memoryMiB(server.pid).rss); } catch { /* exited */ }
  }, 50);
  return {
    fdsBefore,
    finish({ statuses = [], bytesWritten = 0, bytesReceived = 0, extra = {} } = {}) {
      clearInterval(timer);
      const fds = openFds(server.pid);
      peakRss = Math.max(peakRss, memoryMiB(server.pid).rss);
      return {
        scenario,
        peakRssMiB: Math.round(peakRss * 10) / 10,
        fdsBefore,
        fdsAfter: fds.count,
        bytesWritten,
        bytesReceived,
        statuses: countStatuses(statuses),
        deletedOpenFiles: fds.deleted.length,
        ...extra,
      };
    },
  };
}

module.exports = { measure };
