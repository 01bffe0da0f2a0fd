import { TEST_ENV } from './test-env';

// Tests never read a developer's .env: the test environment is explicit.
for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] = value;
