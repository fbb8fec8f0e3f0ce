/**
 * A write that fails or is interrupted leaves the previous output intact:
 * failures roll back at once, a killed process is rolled back by the next
 * run, and SIGINT during the swap waits until the swap is over.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type EmitFileSystem } from '../../src/emit/fs.js';
import { LOCK_FILE, TRANSACTION_DIR } from '../../src/emit/manifest.js';
import { writeOutput } from '../../src/emit/output.js';
import { recoverInterrupted } from '../../src/emit/transaction.js';
import { generate, generatorVersion } from '../../src/generate/pipeline.js';
import { cli, projectWith, snapshot } from '../cli/helpers.js';
import { PROJECT_ROOT } from '../support/generated.js';

const execute = promisify(execFile);
const CHILD = path.join(PROJECT_ROOT, 'test', 'emit', 'interrupted-child.ts');

/** A project with a first output (NATS transport) and a changed document, so that the next write changes files. */
async function committedProject(): Promise<{ cwd: string; spec: string; out: string; previous: Record<string, string> }> {
  const cwd = projectWith('v3/lighting');
  const spec = path.join(cwd, 'spec', 'asyncapi.yaml');
  const out = path.join(cwd, 'out');
  expect((await cli(cwd, 'generate', spec, '-o', out, '-t', 'mqtt')).code).toBe(0);
  const previous = snapshot(out);
  const schemaFile = path.join(cwd, 'spec', 'schemas', 'measurement.yaml');
  writeFileSync(schemaFile, readFileSync(schemaFile, 'utf8').replace('properties:', 'properties:\n  note:\n    type: string'));
  return { cwd, spec, out, previous };
}

function failingAt(operation: 'rename' | 'writeFile', nth: number): EmitFileSystem {
  let calls = 0;
  const fail = (): void => {
    calls += 1;
    if (calls === nth) throw Object.assign(new Error(`injected ${operation} failure`), { code: 'EIO' });
  };
  return {
    ...nodeFileSystem,
    rename: async (from, to) => {
      if (operation === 'rename') fail();
      await nodeFileSystem.rename(from, to);
    },
    writeFile: async (file, contents) => {
      if (operation === 'writeFile') fail();
      await nodeFileSystem.writeFile(file, contents);
    },
  };
}

describe('interrupted and failed writes', () => {
  for (const [operation, nth] of [['writeFile', 3], ['rename', 2], ['rename', 5], ['rename', 9]] as const) {
    it(`a failure at ${operation} #${nth} leaves the previous output exactly as it was`, async () => {
      const { spec, out, previous } = await committedProject();
      const result = await generate({ spec, transports: ['nats'] });
      await expect(writeOutput(out, result.files, { version: generatorVersion(), fs: failingAt(operation, nth), deferSignals: false })).rejects.toThrow(/injected/);
      expect(snapshot(out)).toEqual(previous);
    });
  }

  // The swap of this change takes 9 renames: journal, then backup and put per file.
  for (const nth of [2, 4, 7, 9]) {
    it(`a process killed at rename #${nth} is rolled back by the next run, to the previous output`, async () => {
      const { cwd, spec, out, previous } = await committedProject();
      const child = execute(process.execPath, ['--import', 'tsx', CHILD, spec, out, 'kill', String(nth)], { cwd: PROJECT_ROOT });
      await expect(child).rejects.toMatchObject({ signal: 'SIGKILL' });
      expect(Object.keys(snapshot(out)).some((file) => file.startsWith(`${TRANSACTION_DIR}/`))).toBe(true);

      const check = await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats', '--check');
      expect(check.code).toBe(1);
      expect(check.stderr).toContain('interrupted write');

      expect(await recoverInterrupted(out)).toBe('rolled-back');
      // The killed process's lock stays until the next run takes it over.
      const recovered = snapshot(out);
      expect(recovered[LOCK_FILE]).toBeDefined();
      delete recovered[LOCK_FILE];
      expect(recovered).toEqual(previous);
      expect((await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats')).code).toBe(0);
      expect(snapshot(out)[LOCK_FILE]).toBeUndefined();
      expect((await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats', '--check')).code).toBe(0);
    }, 60_000);
  }

  it('the next generate rolls back a killed write by itself, then writes the new output', async () => {
    const { cwd, spec, out } = await committedProject();
    await expect(execute(process.execPath, ['--import', 'tsx', CHILD, spec, out, 'kill', '6'], { cwd: PROJECT_ROOT })).rejects.toMatchObject({ signal: 'SIGKILL' });
    const next = await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats');
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('rolled back an interrupted earlier write');
    expect(Object.keys(snapshot(out)).some((file) => file.startsWith(TRANSACTION_DIR))).toBe(false);
    expect(readFileSync(path.join(out, 'types.ts'), 'utf8')).toContain('note?: string');
  }, 60_000);

  it('--dry-run after a killed write plans against the rolled-back folder: it exits as the real run then does', async () => {
    const { cwd, spec, out } = await committedProject();
    await expect(execute(process.execPath, ['--import', 'tsx', CHILD, spec, out, 'kill', '5'], { cwd: PROJECT_ROOT })).rejects.toMatchObject({ signal: 'SIGKILL' });
    const before = snapshot(out);
    const dryRun = await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats', '--dry-run');
    expect(dryRun.stderr).toContain('an interrupted write would be rolled back first');
    expect(dryRun.stderr).not.toContain('edited by hand');
    expect(snapshot(out)).toEqual(before);
    const real = await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats');
    expect(real.code).toBe(dryRun.code);
    expect(real.code).toBe(0);
  }, 60_000);

  it('SIGINT during the swap waits for it: the process stops with the whole new output in place', async () => {
    const { cwd, spec, out } = await committedProject();
    await expect(execute(process.execPath, ['--import', 'tsx', CHILD, spec, out, 'interrupt', '4'], { cwd: PROJECT_ROOT })).rejects.toMatchObject({ signal: 'SIGINT' });
    expect(Object.keys(snapshot(out)).some((file) => file.startsWith(TRANSACTION_DIR))).toBe(false);
    expect((await cli(cwd, 'generate', spec, '-o', out, '-t', 'nats', '--check')).code).toBe(0);
  }, 60_000);
});
