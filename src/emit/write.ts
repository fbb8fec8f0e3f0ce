/**
 * Stage 7: files in memory reach the disk. Each file is written to a temporary
 * sibling and renamed into place, so a reader never sees half a file, and no
 * path can leave the output folder.
 */
import { mkdir, rename, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GeneratedFile } from '../generate/pipeline.js';

export function resolveInside(outputDir: string, relativePath: string): string {
  const root = path.resolve(outputDir);
  const target = path.resolve(root, relativePath);
  if (path.isAbsolute(relativePath) || !target.startsWith(root + path.sep)) {
    throw new Error(`refusing to write '${relativePath}': it is outside the output folder ${root}`);
  }
  return target;
}

export async function writeFiles(outputDir: string, files: ReadonlyArray<GeneratedFile>): Promise<void> {
  const targets = files.map((file) => ({ file, target: resolveInside(outputDir, file.path) }));
  for (const { file, target } of targets) {
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, file.contents, 'utf8');
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
