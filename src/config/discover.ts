/** Finding the configuration: the first folder from the working directory upward that has one. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { severalConfigFiles } from './problems.js';
import { packageJsonHasConfig } from './read.js';
import { CONFIG_FILE_NAMES } from './types.js';

/**
 * The configuration file for a run in `cwd`: the first folder from `cwd` up to the filesystem root
 * holding an `asyncapi-gen.config.{json,yaml,yml,mjs,ts}` or a package.json with an "asyncapi-gen"
 * key (returned as the path of that package.json). Several candidates in that folder are a UserError.
 */
export async function findConfig(cwd: string): Promise<string | undefined> {
  let folder = path.resolve(cwd);
  for (;;) {
    const found = await candidatesIn(folder);
    if (found.length > 1) {
      throw new UserError(`several asyncapi-gen configurations in ${folder}: keep one`, [severalConfigFiles(found)]);
    }
    if (found[0] !== undefined) return found[0];
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

async function candidatesIn(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of CONFIG_FILE_NAMES) {
    const file = path.join(folder, name);
    if (await isFile(file)) found.push(file);
  }
  const packageJson = path.join(folder, 'package.json');
  if (await isFile(packageJson)) {
    const text = await readIfPossible(packageJson);
    if (text !== undefined && packageJsonHasConfig(text)) found.push(packageJson);
  }
  return found;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    // Missing, or a folder we may not look into: not a candidate.
    return false;
  }
}

async function readIfPossible(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
