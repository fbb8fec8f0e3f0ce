/**
 * `npm run build` compiles only src/. The benchmark scripts (`npm run bench`, `bench:throughput`,
 * `bench:receive-cpu`) are not run by the tests, and vitest runs test files without checking their
 * types, so nothing else would notice when a change breaks either. Scenario files are left to the
 * tests that copy them next to generated code and type-check them there.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/generated.js';

async function tscOutput(project: string): Promise<string> {
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', path.join(PROJECT_ROOT, project)], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
  );
  return result.stdout;
}

describe('code that npm run build does not compile', () => {
  it('the benchmark scripts type-check strictly with the project options', { timeout: 120_000 }, async () => {
    expect(await tscOutput('bench/tsconfig.json')).toBe('');
  });

  it('the tests type-check strictly with the project options', { timeout: 180_000 }, async () => {
    expect(await tscOutput('test/tsconfig.json')).toBe('');
  });
});
