'use strict';
/**
 * Preloaded (`node -r bench/lib/no-response-cache.js <dist>/main.js`) by bench/perf.js for
 * its "response cache off" measurements, ONLY when the build has no configuration
 * variable to turn the cache off: every list call computes its page from the database,
 * nothing is read from or written to the cache (invalidations after writes still run).
 * Everything else (auth, limits, validation, logging, metrics) is untouched.
 * BENCH_SNAPSHOT_DIR names the built app (the private copy of dist/ the bench runs).
 */
require('reflect-metadata');
const path = require('node:path');

const dir = process.env.BENCH_SNAPSHOT_DIR;
if (!dir) throw new Error('no-response-cache: BENCH_SNAPSHOT_DIR is not set');
const { ResponseCache } = require(path.join(dir, 'cache', 'response-cache.service.js'));
if (typeof ResponseCache?.prototype?.getOrCompute !== 'function') {
  throw new Error('no-response-cache: ResponseCache.getOrCompute not found in the build');
}
ResponseCache.prototype.getOrCompute = function getOrComputeUncached(_userId, _scope, _query, compute) {
  this.counters.bypassed++;
  return compute();
};
