/**
 * An output folder that was tampered with or is shared: symbolic links, a
 * crafted journal or manifest, a damaged journal, a file where a folder
 * should be, and two runs at once. Nothing outside the folder is ever read,
 * written or removed; errors say what is wrong.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type EmitFileSystem } from '../../src/emit/fs.js';
import { LOCK_FILE, MANIFEST_FILE, TRANSACTION_DIR } from '../../src/emit/manifest.js';
import { writeOutput } from '../../src/emit/output.js';
import { lockOutput } from '../../src/emit/transaction.js';
import { generate, generatorVersion } from '../../src/generate/pipeline.js';
import { cli, snapshot, tempDir } from '../cli/helpers.js';
import { fixturePath } from '../support/generated.js';

const DEMO = fixturePath('demo/streetlights.yaml');

async function generatedProject(): Promise<{ cwd: string; out: string; outside: string }> {
  const cwd = tempDir();
  expect((await cli(cwd, 'generate', DEMO, '-o', 'out')).code).toBe(0);
  const outside = path.join(cwd, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'victim.txt'), 'precious\n');
  symlinkSync(outside, path.join(cwd, 'out', 'link'));
  return { cwd, out: path.join(cwd, 'out'), outside };
}

describe('a tampered output folder', () => {
  it('a crafted journal cannot make recovery write or delete through a symbolic link', async () => {
    const { cwd, outside } = await generatedProject();
    const transaction = path.join(cwd, 'out', TRANSACTION_DIR);
    mkdirSync(path.join(transaction, 'backup', 'link'), { recursive: true });
    writeFileSync(path.join(transaction, 'backup', 'link', 'victim.txt'), 'PWNED\n');
    writeFileSync(path.join(transaction, 'journal.json'), JSON.stringify([
      { path: 'link/victim.txt', kind: 'put', existed: true },
      { path: 'link/other.txt', kind: 'put', existed: false },
    ]));
    writeFileSync(path.join(outside, 'other.txt'), 'keep\n');
    const result = await cli(cwd, 'generate', DEMO, '-o', 'out');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(readFileSync(path.join(outside, 'other.txt'), 'utf8')).toBe('keep\n');
  });

  it('a journal naming paths outside the folder is damaged, and says how to get out of it', async () => {
    const { cwd } = await generatedProject();
    const transaction = path.join(cwd, 'out', TRANSACTION_DIR);
    mkdirSync(transaction);
    writeFileSync(path.join(transaction, 'journal.json'), JSON.stringify([{ path: '../outside/victim.txt', kind: 'remove', existed: true }]));
    const crafted = await cli(cwd, 'generate', DEMO, '-o', 'out');
    expect(crafted.code).toBe(2);
    expect(crafted.stderr).toContain('is damaged');
    writeFileSync(path.join(transaction, 'journal.json'), '[{"path": "index.ts", "ki');
    const truncated = await cli(cwd, 'generate', DEMO, '-o', 'out');
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toContain('is damaged; restore the output folder');
    expect(existsSync(path.join(cwd, 'outside', 'victim.txt'))).toBe(true);
  });

  it('a crafted manifest cannot make --check read, or --force delete, through a symbolic link', async () => {
    const { cwd, out, outside } = await generatedProject();
    const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), 'utf8')) as { files: Record<string, string> };
    manifest.files['link/victim.txt'] = '0'.repeat(64);
    writeFileSync(path.join(out, MANIFEST_FILE), JSON.stringify(manifest));
    const check = await cli(cwd, 'generate', DEMO, '-o', 'out', '--check');
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('symbolic link');
    expect(check.stderr).not.toContain('precious');
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '--force')).code).toBe(2);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
  });

  it('a generated file replaced by a link or a folder, or a folder by a file, is a clear error', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out');
    const before = snapshot(path.join(cwd, 'out'));
    const index = path.join(cwd, 'out', 'index.ts');
    writeFileSync(path.join(cwd, 'elsewhere.ts'), 'x\n');
    const { rmSync } = await import('node:fs');
    rmSync(index);
    mkdirSync(index);
    const folder = await cli(cwd, 'generate', DEMO, '-o', 'out', '--check');
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/cannot read \S*out:/);
    expect(folder.stderr).toContain('index.ts in');
    expect(folder.stderr).toContain('is a folder, where asyncapi-gen writes a file');
    rmSync(index, { recursive: true });
    symlinkSync(path.join(cwd, 'elsewhere.ts'), index);
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '--force')).stderr).toContain('symbolic link');
    expect(readFileSync(path.join(cwd, 'elsewhere.ts'), 'utf8')).toBe('x\n');
    rmSync(index);
    rmSync(path.join(cwd, 'out', 'transports'), { recursive: true });
    writeFileSync(path.join(cwd, 'out', 'transports'), 'a file\n');
    const blocked = await cli(cwd, 'generate', DEMO, '-o', 'out', '--force');
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('transports in');
    expect(blocked.stderr).toContain('is a file, where asyncapi-gen needs a folder');
    expect(Object.keys(before).length).toBeGreaterThan(0);
  });

  it('a folder with only .gitkeep or .DS_Store is not someone else\'s', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'out'));
    writeFileSync(path.join(cwd, 'out', '.gitkeep'), '');
    writeFileSync(path.join(cwd, 'out', '.DS_Store'), '');
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out')).code).toBe(0);
  });
});

describe('two runs on one folder', () => {
  it('the second run fails while the first holds the lock, and never rolls back a live write', async () => {
    const cwd = tempDir();
    const out = path.join(cwd, 'out');
    await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'mqtt');
    const result = await generate({ spec: DEMO, transports: ['nats'] });
    let entered = (): void => undefined;
    const inSwap = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let proceed = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      proceed = resolve;
    });
    let renames = 0;
    const slow: EmitFileSystem = {
      ...nodeFileSystem,
      rename: async (from, to) => {
        renames += 1;
        if (renames === 3) {
          entered();
          await held;
        }
        await nodeFileSystem.rename(from, to);
      },
    };
    const first = writeOutput(out, result.files, { version: generatorVersion(), fs: slow, deferSignals: false });
    await inSwap;
    const second = await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'nats');
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`another asyncapi-gen (process ${process.pid}) is writing`);
    proceed();
    expect((await first).kind).toBe('written');
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'nats', '--check')).code).toBe(0);
  });

  it('a lock left by a dead process is taken over; a lock on a new folder leaves no folder behind', async () => {
    const cwd = tempDir();
    await cli(cwd, 'generate', DEMO, '-o', 'out');
    writeFileSync(path.join(cwd, 'out', LOCK_FILE), '999999999\n');
    expect((await cli(cwd, 'generate', DEMO, '-o', 'out', '-t', 'nats')).code).toBe(0);
    const release = await lockOutput(path.join(cwd, 'fresh'));
    expect(existsSync(path.join(cwd, 'fresh', LOCK_FILE))).toBe(true);
    await release();
    expect(existsSync(path.join(cwd, 'fresh'))).toBe(false);
  });
});
