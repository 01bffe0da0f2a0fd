'use strict';
/**
 * Memory of benchmarked processes, from /proc/<pid>/status (Linux): VmRSS (resident now)
 * and VmHWM (the kernel's peak resident size since the process started). NaN elsewhere.
 */
const fs = require('node:fs');

function statusField(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Resident set size now, MB. */
const rssMb = (pid) => statusField(pid, 'VmRSS');
/** Peak resident set size since the process started, MB. */
const hwmMb = (pid) => statusField(pid, 'VmHWM');

/**
 * Samples VmRSS of `pids` every `intervalMs` until `stop()`, which returns
 * `{ [pid]: { max, last, samples } }` (MB).
 */
class RssSampler {
  constructor(pids, intervalMs = 250) {
    this.stats = new Map(pids.map((p) => [p, { max: NaN, last: NaN, samples: 0 }]));
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample() {
    for (const [pid, s] of this.stats) {
      const v = rssMb(pid);
      if (!Number.isFinite(v)) continue;
      s.last = v;
      s.max = Number.isFinite(s.max) ? Math.max(s.max, v) : v;
      s.samples++;
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(this.stats);
  }
}

/** CPU time (user + system) the process has used so far, seconds (USER_HZ = 100). */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The p-th percentile (nearest rank) of an ascending array. */
function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = { rssMb, hwmMb, cpuSeconds, RssSampler, pct };
