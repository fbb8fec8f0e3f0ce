import { defineConfig } from 'vitest/config';

// Integration tests talk to real brokers on a 2-core machine that also type-checks
// generated code in parallel: the 5 s default is too tight under that load.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
