/**
 * Reading a configuration file's text, and what every format shares. Parsing the data formats
 * (which needs the YAML parser) is in `parse-data.ts`, loaded only when a run has such a file.
 */
import { promises as fs } from 'node:fs';
import { UserError, type SourceLocation } from '../diagnostics.js';
import { configNotFound, configUnreadable, startOf } from './problems.js';
import { PACKAGE_JSON_KEY } from './types.js';

/** Where the value at `segments` (below the configuration) is written: its key, or the value itself. */
export type Locate = (segments: ReadonlyArray<string | number>, part: 'key' | 'value') => SourceLocation;

export interface RawConfig {
  /** Absolute path of the file. */
  readonly file: string;
  /** The configuration as plain data (or whatever a module exported). */
  readonly value: unknown;
  readonly locate: Locate;
  /** JSON pointer of the configuration in its file: '' or '/asyncapi-gen' in package.json. */
  readonly pointerBase: string;
}

/** Reads a file as UTF-8 text; every failure is a UserError located at the file. */
export async function readConfigText(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UserError(`configuration file not found: ${file}`, [configNotFound(file)]);
    const reason = code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
    throw new UserError(`cannot read the configuration file ${file}`, [configUnreadable(file, reason)]);
  }
  try {
    // `fatal` rejects invalid UTF-8 instead of inserting U+FFFD; a leading BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`cannot read the configuration file ${file}`, [configUnreadable(file, 'it is not UTF-8 text')]);
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** Whether a package.json holds a configuration, for discovery: a file we cannot parse but that names the key counts (loading it then reports why). */
export function packageJsonHasConfig(text: string): boolean {
  try {
    const data: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return isRecord(data) && Object.hasOwn(data, PACKAGE_JSON_KEY);
  } catch {
    return text.includes(`"${PACKAGE_JSON_KEY}"`);
  }
}

/** A configuration with no positions (a module's export): everything is at the start of the file. */
export function moduleConfig(file: string, value: unknown): RawConfig {
  return { file, value, locate: () => startOf(file), pointerBase: '' };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
