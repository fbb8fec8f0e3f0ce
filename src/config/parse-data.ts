/**
 * Reading a JSON, YAML or package.json configuration with the position of every node, so each
 * problem found later can be reported at its line:column. Parsing (strict JSON, YAML syntax,
 * duplicate keys, alias bombs) is the document loader's.
 */
import type { Node } from 'yaml';
import { UserError } from '../diagnostics.js';
import { locationAt, parseSourceFile, type SourceFile } from '../load/source-file.js';
import { memberOf, startOffset } from '../load/yaml-nodes.js';
import { noPackageJsonKey } from './problems.js';
import { isRecord, type Locate, type RawConfig } from './read.js';
import { PACKAGE_JSON_KEY } from './types.js';

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
