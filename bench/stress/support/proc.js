'use strict';
// What a process holds, read from /proc (Linux): memory and descriptors.
const fs = require('node:fs');

/** VmRSS and VmHWM (peak RSS) of `pid`, in bytes. */
function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Open descriptors of `pid`, and how many point at deleted files. */
function descriptorsOf(pid) {
  const dir = `/proc/${pid}/fd`;
  let count = 0;
  let deleted = 0;
  for (const fd of fs.readdirSync(dir)) {
    count++;
    try {
      if (fs.readlinkSync(`${dir}/${fd}`).endsWith(' (deleted)')) deleted++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return { count, deleted };
}

/** Samples `pid`'s RSS every `everyMs` until stop(); stop() returns the highest seen. */
function sampleRss(pid, everyMs = 50) {
  let highest = 0;
  const take = () => {
    try {
      highest = Math.max(highest, memoryOf(pid).rss);
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return highest;
    },
  };
}

/** The kernel's largest TCP send and receive buffers (loopback included), in bytes. */
function tcpBufferMaxima() {
  const max = (file) => Number(fs.readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
  return { send: max('/proc/sys/net/ipv4/tcp_wmem'), receive: max('/proc/sys/net/ipv4/tcp_rmem') };
}

const MIB = 1024 * 1024;
const mib = (bytes) => Math.round((bytes / MIB) * 10) / 10;

module.exports = { memoryOf, descriptorsOf, sampleRss, tcpBufferMaxima, MIB, mib };
