/**
 * The schema compiler: JSON Schemas (as the AsyncAPI parser hands them over,
 * dereferenced and possibly cyclic) -> TypeScript type declarations and a
 * module of precompiled validators.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Origin } from '../model/ir.js';
import { planSchemas, type SchemaRootInput } from './plan.js';
import { renderTypeDeclarations } from './types.js';
import { renderValidatorModule } from './validators.js';

export type { SchemaRootInput } from './plan.js';

export interface CompileSchemasOptions {
  readonly roots: ReadonlyArray<SchemaRootInput>;
  /** Schema object -> its key under components.schemas (such schemas are named after the key). */
  readonly componentSchemaNames: ReadonlyMap<object, string>;
  /**
   * Claims a unique, valid type identifier in the shared type namespace (the caller dedups and
   * warns on collisions). Called with a PascalCase hint, in a deterministic order.
   */
  readonly claimName: (hint: string, origin: Origin) => string;
}

export interface CompiledRoot {
  readonly typeName: string;
  /** `validate<TypeName>`: returns every issue, empty when valid. */
  readonly validatorName: string;
  /** `is<TypeName>`: a type guard. */
  readonly guardName: string;
}

export interface CompiledSchemas {
  /** One per input root, same order. Two roots with the same schema object share a type and validator. */
  readonly roots: ReadonlyArray<CompiledRoot>;
  /** TypeScript source: exported type declarations (with JSDoc), no imports. Goes into `types.ts`. */
  readonly typeDeclarations: string;
  /** TypeScript source of the whole generated `validators.ts` module. */
  readonly validatorModule: string;
  /** Every named type, in declaration order (roots, components, cycle members). */
  readonly typeNames: ReadonlyArray<string>;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

export function compileSchemas(options: CompileSchemasOptions): CompiledSchemas {
  const plan = planSchemas(options);
  return {
    roots: plan.roots.map((root) => ({
      typeName: root.typeName,
      validatorName: `validate${root.typeName}`,
      guardName: `is${root.typeName}`,
    })),
    typeDeclarations: renderTypeDeclarations(plan),
    validatorModule: renderValidatorModule(plan),
    typeNames: plan.named.map((entry) => entry.typeName),
    diagnostics: plan.diagnostics,
  };
}
