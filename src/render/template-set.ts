/**
 * Which template sources a run renders with: the built-in templates and
 * partials of `templates/`, overridden file by file from a custom folder,
 * plus the helpers that folder's `helpers.mjs` (or `.js`) exports.
 *
 * Custom folder layout (what `asyncapi-gen templates eject` writes):
 *   <name>.ts.hbs          replaces the built-in template <name> (index, types, channels, validators, servers)
 *   partials/<name>.hbs    replaces or adds the partial {{> name}}
 *   helpers.mjs            `export default { name(...args) { return '...'; } }` or named function exports
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../diagnostics.js';
import { TEMPLATES_DIR } from '../paths.js';
import type { RenderJob } from '../view/model.js';
import { BUILT_IN_HELPERS, type TemplateHelper } from './helpers.js';

export const TEMPLATE_NAMES: ReadonlyArray<RenderJob['template']> = ['index', 'types', 'channels', 'validators', 'servers', 'service', 'handler'];
const TEMPLATE_SUFFIX = '.ts.hbs';
const PARTIAL_SUFFIX = '.hbs';
const PARTIALS_DIR = 'partials';
const HELPER_FILES = ['helpers.mjs', 'helpers.js'];

export interface TemplateSource {
  /** Absolute path, for messages. */
  readonly file: string;
  readonly text: string;
  readonly custom: boolean;
}

export interface TemplateSet {
  readonly templates: ReadonlyMap<RenderJob['template'], TemplateSource>;
  readonly partials: ReadonlyMap<string, TemplateSource>;
  readonly helpers: Readonly<Record<string, TemplateHelper>>;
  /** Every file the set was read from (for watch mode). */
  readonly files: ReadonlyArray<string>;
}

function read(file: string, custom: boolean): TemplateSource {
  return { file, text: readFileSync(file, 'utf8'), custom };
}

function filesIn(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(suffix)).sort();
}

function isTemplateName(name: string): name is RenderJob['template'] {
  return (TEMPLATE_NAMES as ReadonlyArray<string>).includes(name);
}

export function builtInTemplateFiles(): string[] {
  return [
    ...filesIn(TEMPLATES_DIR, TEMPLATE_SUFFIX),
    ...filesIn(path.join(TEMPLATES_DIR, PARTIALS_DIR), PARTIAL_SUFFIX).map((name) => path.join(PARTIALS_DIR, name)),
  ];
}

export async function loadTemplateSet(customDir?: string): Promise<TemplateSet> {
  const templates = new Map<RenderJob['template'], TemplateSource>();
  const partials = new Map<string, TemplateSource>();
  for (const name of TEMPLATE_NAMES) templates.set(name, read(path.join(TEMPLATES_DIR, `${name}${TEMPLATE_SUFFIX}`), false));
  for (const name of filesIn(path.join(TEMPLATES_DIR, PARTIALS_DIR), PARTIAL_SUFFIX)) {
    partials.set(name.slice(0, -PARTIAL_SUFFIX.length), read(path.join(TEMPLATES_DIR, PARTIALS_DIR, name), false));
  }
  const helpers: Record<string, TemplateHelper> = { ...BUILT_IN_HELPERS };
  const files = [...templates.values(), ...partials.values()].map((source) => source.file);
  if (customDir === undefined) return { templates, partials, helpers, files };

  const root = path.resolve(customDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`the templates folder ${root} does not exist or is not a folder`);
  }
  const unknown: string[] = [];
  for (const name of readdirSync(root).sort()) {
    if (!name.endsWith(TEMPLATE_SUFFIX)) continue;
    const template = name.slice(0, -TEMPLATE_SUFFIX.length);
    if (!isTemplateName(template)) {
      unknown.push(name);
      continue;
    }
    const source = read(path.join(root, name), true);
    templates.set(template, source);
    files.push(source.file);
  }
  if (unknown.length > 0) {
    throw new UserError(`the templates folder ${root} has ${unknown.join(', ')}, which replace${unknown.length === 1 ? 's' : ''} no built-in template; the templates are ${TEMPLATE_NAMES.map((name) => `${name}${TEMPLATE_SUFFIX}`).join(', ')} (partials go in ${PARTIALS_DIR}/)`);
  }
  for (const name of filesIn(path.join(root, PARTIALS_DIR), PARTIAL_SUFFIX)) {
    const source = read(path.join(root, PARTIALS_DIR, name), true);
    partials.set(name.slice(0, -PARTIAL_SUFFIX.length), source);
    files.push(source.file);
  }
  const helperFile = HELPER_FILES.map((name) => path.join(root, name)).find((file) => existsSync(file));
  if (helperFile !== undefined) {
    Object.assign(helpers, await loadHelpers(helperFile));
    files.push(helperFile);
  }
  return { templates, partials, helpers, files };
}

async function loadHelpers(file: string): Promise<Record<string, TemplateHelper>> {
  let module: Record<string, unknown>;
  try {
    // The query defeats the module cache, so that watch mode sees an edited helpers file.
    module = (await import(`${pathToFileURL(file).href}?mtime=${statSync(file).mtimeMs}`)) as Record<string, unknown>;
  } catch (error) {
    throw new UserError(`cannot load the template helpers ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = module['default'] !== undefined && typeof module['default'] === 'object' && module['default'] !== null
    ? (module['default'] as Record<string, unknown>)
    : Object.fromEntries(Object.entries(module).filter(([name]) => name !== 'default'));
  const helpers: Record<string, TemplateHelper> = {};
  for (const [name, value] of Object.entries(exported)) {
    if (typeof value !== 'function') throw new UserError(`template helper '${name}' in ${file} is not a function`);
    if (Object.hasOwn(BUILT_IN_HELPERS, name)) throw new UserError(`template helper '${name}' in ${file} has the name of a built-in helper; choose another name`);
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) throw new UserError(`template helper name '${name}' in ${file} cannot be used in a template`);
    helpers[name] = value as TemplateHelper;
  }
  return helpers;
}
