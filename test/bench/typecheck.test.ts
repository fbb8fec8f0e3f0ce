/**
 * The benchmark scripts (`npm run bench`, `bench:throughput`, `bench:receive-cpu`) are not run by
 * the tests, so nothing else would notice when a change to the code they import breaks them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/generated.js';

describe('the benchmark scripts', () => {
  it('type-check strictly with the project options', { timeout: 120_000 }, async () => {
    const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', path.join(PROJECT_ROOT, 'bench', 'tsconfig.json')]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(result.stdout).toBe('');
  });
});
