/** Shared helpers of the CLI suites: in-process runs, temp projects, folder snapshots. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { fixturePath } from '../support/generated.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd, color: false };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'asyncapi-gen-cli-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A temp folder with a copy of `fixtures/<fixture>` in `spec/`. */
export function projectWith(fixture: string): string {
  const dir = tempDir();
  cpSync(fixturePath(fixture), path.join(dir, 'spec'), { recursive: true });
  return dir;
}

/** Every file under `dir` (relative path -> sha256 of contents), hidden ones included. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(dir, full).split(path.sep).join('/')] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return files;
}
