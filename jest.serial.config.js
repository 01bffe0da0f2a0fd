/**
 * Tests that disturb the shared local services (restarting PostgreSQL). They run alone,
 * one at a time, after the main suite (`npm test` runs both).
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/serial/**/*.serial-spec.ts'],
  maxWorkers: 1,
  testTimeout: 180_000,
};
