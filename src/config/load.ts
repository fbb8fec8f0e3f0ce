/** Loading a configuration file of one of the supported formats into resolved jobs. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { importModuleConfig, importTypeScriptConfig } from './modules.js';
import { configNotFound, configUnreadable, unsupportedConfigFormat } from './problems.js';
import { errorCode, moduleConfig, readConfigText, type RawConfig } from './read.js';
import type { LoadedConfig } from './types.js';
import { validateConfig } from './validate.js';

type ConfigFormat = 'package-json' | 'json' | 'yaml' | 'module' | 'typescript';

/** The format of a configuration file, from its name. */
export function configFormat(file: string): ConfigFormat | undefined {
  if (path.basename(file) === 'package.json') return 'package-json';
  switch (path.extname(file).toLowerCase()) {
    case '.json':
      return 'json';
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.mjs':
      return 'module';
    case '.ts':
      return 'typescript';
    default:
      return undefined;
  }
}

/**
 * Reads, validates and resolves the configuration in `file` (relative paths: against the process's
 * working directory). Any problem is a UserError carrying located diagnostics: line:column for
 * JSON, YAML and package.json, the start of the file for .mjs and .ts.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  return validateConfig(await readRawConfig(absolute));
}

export async function readRawConfig(file: string): Promise<RawConfig> {
  const format = configFormat(file);
  if (format === undefined) throw new UserError(`unsupported configuration file ${file}`, [unsupportedConfigFormat(file)]);
  await checkIsFile(file);
  switch (format) {
    case 'package-json':
    case 'json':
    case 'yaml': {
      const text = await readConfigText(file);
      const { parseDataConfig } = await import('./parse-data.js');
      return parseDataConfig(file, text, format === 'package-json');
    }
    case 'module':
      return moduleConfig(file, await importModuleConfig(file));
    case 'typescript':
      return moduleConfig(file, await importTypeScriptConfig(file));
  }
}

async function checkIsFile(file: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(file)).isDirectory();
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`configuration file not found: ${file}`, [configNotFound(file)]);
    throw new UserError(`cannot read the configuration file ${file}`, [configUnreadable(file, error instanceof Error ? error.message : String(error))]);
  }
  if (isDirectory) throw new UserError(`cannot read the configuration file ${file}`, [configUnreadable(file, 'it is a directory')]);
}
