/**
 * Build step (`npm run build`): compiles the validators Spectral uses for the AsyncAPI
 * meta-schemas of every supported version, and for the rulesets' own small schemas, into ajv
 * standalone code, with an index (`precompiled.ts` reads them). The schemas are the very objects Spectral validates against,
 * captured while @asyncapi/parser parses a minimal document of each version; the Ajv instances
 * are configured as Spectral configures its own. Usage: `node dist/load/meta-schemas/precompile.js [outDir]`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { SUPPORTED_VERSIONS } from '../versions.js';
import { isSpectralAjvModule, type ValidatorFor } from '../shared-schemas.js';
import { PRECOMPILED_DIR, PRECOMPILED_FORMAT, PRECOMPILED_INDEX, anonymousSchemaId, isAnonymousSchemaId, precompiledKey, schemaHash, topLevelKeys, type PrecompiledEntry, type PrecompiledIndex } from './precompiled.js';
import { installedSpectral } from '../vendor/parser-modules.js';

interface Captured {
  readonly id: string;
  readonly schema: object;
  readonly dialect: string;
  readonly allErrors: boolean;
}

/** The parts of ajv used here, as Spectral's copy provides them. */
interface AjvInstance {
  compile(schema: object): unknown;
  addSchema(schema: object): unknown;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;
type Plugin = (ajv: AjvInstance) => unknown;
type StandaloneCode = (ajv: AjvInstance, validate: unknown) => string;

function defaultExport<T>(module: unknown): T {
  const value: unknown = typeof module === 'object' && module !== null && 'default' in module ? module.default : module;
  return value as T;
}

function jsonModule(module: unknown): object {
  if (typeof module !== 'object' || module === null) throw new Error('a JSON meta-schema did not load as an object');
  // Another module's interop may have given the cached JSON object a `default` key: leave it out.
  const { default: _interop, ...schema } = module as Record<string, unknown>;
  return schema;
}

/**
 * A small document of `version` with a server, so that the rules about servers run too; it has no
 * schema of its own, so every schema compiled while it is linted belongs to the rulesets.
 */
function minimalDocument(version: string): string {
  return version.startsWith('2.')
    ? `asyncapi: '${version}'\ninfo: { title: t, version: '1' }\nservers: { s: { url: 'localhost:4222', protocol: nats } }\nchannels: {}\n`
    : `asyncapi: '${version}'\ninfo: { title: t, version: '1' }\nservers: { s: { host: 'localhost:4222', protocol: nats } }\n`;
}

/**
 * Whether a schema refers to nothing and names nothing: only such schemas may be served by their
 * content alone (a reference, or an identifier or anchor one could refer to, depends on where the
 * schema is compiled).
 */
function refersToNothing(schema: object): boolean {
  return !/"\$(?:ref|id|anchor|dynamicRef|dynamicAnchor|recursiveRef|recursiveAnchor)"/.test(JSON.stringify(schema));
}

async function captureSchemas(): Promise<Captured[]> {
  const spectral = installedSpectral();
  const factory: unknown = spectral.require(spectral.ajvFactoryFile);
  if (!isSpectralAjvModule(factory)) throw new Error(`${spectral.ajvFactoryFile} does not export createAjvInstances as expected`);
  const original = factory.createAjvInstances;
  const captured = new Map<string, Captured>();
  factory.createAjvInstances = (): ValidatorFor => {
    const forThisDocument = original();
    return (schema, dialect, allErrors) => {
      // A minimal document has no schemas of its own: whatever is compiled belongs to the rulesets.
      const declaredId: unknown = Reflect.get(schema, '$id');
      if (typeof declaredId === 'string') captured.set(precompiledKey(declaredId, dialect, allErrors), { id: declaredId, schema, dialect, allErrors });
      else if (refersToNothing(schema)) {
        const id = anonymousSchemaId(schemaHash(schema));
        captured.set(precompiledKey(id, dialect, allErrors), { id, schema, dialect, allErrors });
      }
      return forThisDocument(schema, dialect, allErrors);
    };
  };
  const metaSchemaCount = (): number => [...captured.values()].filter((entry) => !isAnonymousSchemaId(entry.id)).length;
  try {
    for (const version of SUPPORTED_VERSIONS) {
      const before = metaSchemaCount();
      const output = await new Parser().parse(minimalDocument(version));
      if (output.document === undefined) throw new Error(`the minimal ${version} document did not parse: ${JSON.stringify(output.diagnostics)}`);
      if (metaSchemaCount() < before + 2) throw new Error(`parsing a ${version} document compiled ${metaSchemaCount() - before} meta-schemas, expected 2 (as written and resolved)`);
    }
  } finally {
    factory.createAjvInstances = original;
  }
  return [...captured.values()];
}

/** An Ajv instance as `@stoplight/spectral-functions/dist/schema/ajv.js` makes it, keeping the generated source. */
function spectralLikeAjv(allErrors: boolean): AjvInstance {
  const { require } = installedSpectral();
  const Ajv = defaultExport<AjvClass>(require('ajv'));
  const ajv = new Ajv({ allErrors, meta: true, messages: true, strict: false, allowUnionTypes: true, unicodeRegExp: false, logger: false, code: { source: true } });
  defaultExport<Plugin>(require('ajv-formats'))(ajv);
  if (allErrors) defaultExport<Plugin>(require('ajv-errors'))(ajv);
  // JSON modules, added as they are (Spectral adds them through a namespace object with the same keys).
  ajv.addSchema(jsonModule(require(path.join(path.dirname(installedSpectral().ajvFactoryFile), 'draft4.json'))));
  ajv.addSchema(jsonModule(require('ajv/dist/refs/json-schema-draft-06.json')));
  return ajv;
}

async function main(outDir: string): Promise<void> {
  const spectral = installedSpectral();
  const standaloneCode = defaultExport<StandaloneCode>(spectral.require('ajv/dist/standalone'));
  const schemas = await captureSchemas();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const entries: PrecompiledEntry[] = [];
  for (const { id, schema, dialect, allErrors } of schemas) {
    // Spectral's `auto` and `draft7` dialects use Ajv's default class, the one configured here.
    if (dialect !== 'draft7' && dialect !== 'auto') continue;
    const ajv = spectralLikeAjv(allErrors);
    const code = standaloneCode(ajv, ajv.compile(schema));
    const file = `${id.replace(/^https?:\/\//, '').replace(/[^\w.-]+/g, '_')}.${dialect}.${allErrors ? 'all' : 'first'}.cjs`;
    writeFileSync(path.join(outDir, file), code);
    entries.push({ id, dialect, allErrors, sha256: schemaHash(schema), keys: topLevelKeys(schema), file });
  }
  const index: PrecompiledIndex = { format: PRECOMPILED_FORMAT, versions: spectral.versions, entries };
  writeFileSync(path.join(outDir, PRECOMPILED_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  process.stdout.write(`precompiled ${entries.length} AsyncAPI meta-schema and ruleset schema validators into ${path.relative(process.cwd(), outDir) || '.'}\n`);
}

await main(path.resolve(process.argv[2] ?? PRECOMPILED_DIR));
