// Peak resident memory and CPU time of this process over a measured phase.
// Every measured phase runs in a freshly started process, so the lifetime
// peak the kernel keeps (getrusage ru_maxrss) is the phase's peak: nothing a
// sampler could miss between two ticks.
'use strict';

function startMeter() {
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return {
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuMs: (used.user + used.system) / 1000,
    };
  };
}

module.exports = { startMeter };
