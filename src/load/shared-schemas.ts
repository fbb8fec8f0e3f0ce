/**
 * Spectral (inside @asyncapi/parser) makes new Ajv instances for every document it lints, so
 * every parse compiles the AsyncAPI meta-schemas again: about 0.25 s of each parse, all of it
 * repeated work in a long-running process (watch mode, several jobs, a library user).
 *
 * Here Spectral's factory of those instances is wrapped so that a validator compiled for a
 * schema object is reused whenever the very same object (by identity) is validated against
 * again. The rulesets keep their schemas as long-lived objects, so those are compiled once per
 * process; a document's own schemas (message examples) are new objects on every parse, so they
 * are compiled as before, and weakly held. The diagnostics are the same: a test compares them on
 * every document of the corpus with and without the sharing.
 *
 * Two differences, neither seen on the corpus: a reused validator keeps alive the Ajv instance of
 * the document that first compiled it (one document's compiled schemas, for the process's life);
 * and a schema served from here is not registered by `$id` in a later document's own Ajv instance,
 * so a document schema that `$ref`s a ruleset schema by its `$id` would not resolve it.
 *
 * The AsyncAPI meta-schemas themselves come precompiled with asyncapi-gen when they match
 * (`meta-schemas/precompiled.ts`), so even the first parse of a process does not compile them.
 *
 * Spectral also checks every ruleset it is given against its ruleset schema, which costs a cold
 * run about 0.15 s of compiling. The only rulesets here are @asyncapi/parser's own, fixed in the
 * installed package; that check is skipped for them (`skipBuiltInRulesetCheck`), and nothing about
 * a document changes.
 *
 * If Spectral's internals are not laid out as expected, nothing is changed (only speed is lost).
 * `ASYNCAPI_GEN_SHARE_SCHEMAS=0` turns the sharing, the precompiled validators and the skipped
 * ruleset check off, and (read by the parser bundle itself, `scripts/bundle-parser.mjs`) the
 * deferral of Spectral's load-time compiles of its rule functions' schemas to their first use.
 */
import { precompiledValidator } from './meta-schemas/precompiled.js';
import { parserModules, type SpectralModules } from './vendor/parser-modules.js';

export const SHARE_SCHEMAS_ENV = 'ASYNCAPI_GEN_SHARE_SCHEMAS';

/** Spectral's `(schema, dialect, allErrors) => validator`, made once per linted document. */
export type ValidatorFor = (schema: object, dialect: string, allErrors: boolean) => unknown;

interface SpectralAjvModule {
  createAjvInstances: () => ValidatorFor;
}

let state: 'untried' | 'shared' | 'unavailable' | 'off' = 'untried';
let reuses = 0;

/** How many times a validator compiled earlier was handed out again (for tests and diagnosis). */
export function sharedSchemaReuses(): number {
  return reuses;
}

/** Installs the sharing once per process; says whether it is in effect. */
export function shareCompiledSchemas(env: NodeJS.ProcessEnv = process.env): boolean {
  if (state === 'untried') state = env[SHARE_SCHEMAS_ENV] === '0' ? 'off' : install();
  return state === 'shared';
}

function install(): 'shared' | 'unavailable' {
  try {
    const { spectral } = parserModules();
    skipBuiltInRulesetCheck(spectral);
    const ajvModule = spectral.ajvModule;
    if (!isSpectralAjvModule(ajvModule)) return 'unavailable';
    const original = ajvModule.createAjvInstances;
    const compiled = new WeakMap<object, Map<string, unknown>>();
    ajvModule.createAjvInstances = (): ValidatorFor => {
      const forThisDocument = original();
      return (schema, dialect, allErrors) => {
        const variant = `${dialect}/${allErrors ? 'all' : 'first'}`;
        const variants = compiled.get(schema) ?? new Map<string, unknown>();
        const known = variants.get(variant);
        if (known !== undefined) {
          reuses++;
          return known;
        }
        const validator = precompiledValidator(schema, dialect, allErrors, spectral) ?? forThisDocument(schema, dialect, allErrors);
        variants.set(variant, validator);
        compiled.set(schema, variants);
        return validator;
      };
    };
    return 'shared';
  } catch {
    return 'unavailable';
  }
}

let skippedRulesetChecks = 0;

/** How many ruleset checks were skipped (for tests and diagnosis). */
export function skippedRulesetCheckCount(): number {
  return skippedRulesetChecks;
}

/**
 * Spectral validates each ruleset it builds against its ruleset schema. The parser builds its
 * built-in rulesets, once per process; they are valid in every release (Spectral's own tests
 * cover them), and the check would compile the ruleset schema with Ajv on every cold run.
 */
function skipBuiltInRulesetCheck(spectral: SpectralModules): void {
  const assertions = spectral.rulesetAssertions;
  if (typeof assertions !== 'object' || assertions === null) return;
  const descriptor = Object.getOwnPropertyDescriptor(assertions, 'assertValidRuleset');
  if (typeof descriptor?.value !== 'function' || descriptor.writable !== true) return;
  Reflect.set(assertions, 'assertValidRuleset', (): void => {
    skippedRulesetChecks++;
  });
}

export function isSpectralAjvModule(value: unknown): value is SpectralAjvModule {
  if (typeof value !== 'object' || value === null || !('createAjvInstances' in value)) return false;
  const descriptor = Object.getOwnPropertyDescriptor(value, 'createAjvInstances');
  return typeof value.createAjvInstances === 'function' && descriptor?.writable === true;
}
