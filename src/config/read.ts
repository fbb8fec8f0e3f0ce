/**
 * Reading a JSON, YAML or package.json configuration with the position of every node, so each
 * problem found later can be reported at its line:column. Parsing (strict JSON, YAML syntax,
 * duplicate keys, alias bombs) is the document loader's.
 */
import { promises as fs } from 'node:fs';
import type { Node } from 'yaml';
import { UserError, type SourceLocation } from '../diagnostics.js';
import { locationAt, parseSourceFile, type SourceFile } from '../load/source-file.js';
import { memberOf, startOffset } from '../load/yaml-nodes.js';
import { configNotFound, configUnreadable, noPackageJsonKey, startOf } from './problems.js';
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

/** Parses a .json/.yaml/.yml configuration, or package.json (`packageJson`: the configuration is its "asyncapi-gen" member). */
export function parseDataConfig(file: string, text: string, packageJson: boolean): RawConfig {
  const parsed = parseSourceFile(file, text);
  const source = parsed.source;
  if (source === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) {
    throw new UserError(`the configuration file ${file} cannot be parsed`, parsed.diagnostics);
  }
  const data: unknown = source.document.toJS();
  if (!packageJson) return { file, value: data, locate: locator(source, []), pointerBase: '' };
  if (!isRecord(data) || !Object.hasOwn(data, PACKAGE_JSON_KEY)) {
    throw new UserError(`${file} holds no asyncapi-gen configuration`, [noPackageJsonKey(file)]);
  }
  return { file, value: data[PACKAGE_JSON_KEY], locate: locator(source, [PACKAGE_JSON_KEY]), pointerBase: `/${PACKAGE_JSON_KEY}` };
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

function locator(source: SourceFile, base: ReadonlyArray<string>): Locate {
  return (segments, part) => {
    const path = [...base, ...segments.map(String)];
    let node: Node | undefined = source.document.contents ?? undefined;
    let offset = startOffset(node);
    for (const [index, segment] of path.entries()) {
      const member = memberOf(source.document, node, segment);
      // Not written (a missing key): the nearest enclosing value is the place to look.
      if (member === undefined) break;
      const target = index === path.length - 1 && part === 'key' ? (member.key ?? member.value) : (member.value ?? member.key);
      offset = startOffset(target);
      node = member.value;
    }
    return locationAt(source, offset);
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
