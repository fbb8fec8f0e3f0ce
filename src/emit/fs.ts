/**
 * The file operations the emit stage uses, injectable so that tests can make
 * one of them fail or stop the process at a chosen point.
 */
import { lstat, mkdir, open, readFile, readdir, rename, rm, rmdir } from 'node:fs/promises';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'other' | 'missing';

export interface EmitFileSystem {
  readonly readFile: (file: string) => Promise<Buffer>;
  /** Writes and flushes to the disk, so that a staged file survives a power loss before the swap. */
  readonly writeFile: (file: string, contents: string) => Promise<void>;
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly mkdir: (dir: string) => Promise<void>;
  /** Removes a file or a folder tree; no error when it does not exist. */
  readonly remove: (target: string) => Promise<void>;
  /** Removes a folder only when it is empty; false when it is not empty or absent. */
  readonly removeEmptyDir: (dir: string) => Promise<boolean>;
  /** The entries of a folder, or undefined when it does not exist or is not a folder. */
  readonly list: (dir: string) => Promise<ReadonlyArray<{ readonly name: string; readonly isDirectory: boolean }> | undefined>;
  /** What is at `target`, without following a symbolic link there. */
  readonly kind: (target: string) => Promise<EntryKind>;
  /** Creates `file` only if it does not exist; false when it does. */
  readonly createExclusive: (file: string, contents: string) => Promise<boolean>;
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && codes.includes(String(error.code));
}

export const nodeFileSystem: EmitFileSystem = {
  readFile: (file) => readFile(file),
  writeFile: async (file, contents) => {
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  remove: (target) => rm(target, { recursive: true, force: true }),
  removeEmptyDir: async (dir) => {
    try {
      await rmdir(dir);
      return true;
    } catch (error) {
      if (hasCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOENT', 'ENOTDIR')) return false;
      throw error;
    }
  },
  list: async (dir) => {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
  },
  kind: async (target) => {
    try {
      const stats = await lstat(target);
      if (stats.isSymbolicLink()) return 'symlink';
      if (stats.isFile()) return 'file';
      if (stats.isDirectory()) return 'directory';
      return 'other';
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR')) return 'missing';
      throw error;
    }
  },
  createExclusive: async (file, contents) => {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(contents, 'utf8');
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if (hasCode(error, 'EEXIST')) return false;
      throw error;
    }
  },
};

export function isMissingFile(error: unknown): boolean {
  return hasCode(error, 'ENOENT', 'ENOTDIR');
}
