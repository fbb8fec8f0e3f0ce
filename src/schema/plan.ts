/**
 * The analysis stage: walks every schema reachable from the roots once,
 * decides which schema objects get a named type (roots, component schemas,
 * and anonymous schemas a cycle runs through), and reports keywords we do not
 * support, malformed keyword values, bad patterns and unknown formats.
 *
 * Why naming only cycle members works: named schemas are emitted as
 * declarations and referenced by name, so inlining stops at them. Inlining
 * loops forever only on a cycle of anonymous schemas, and a depth-first walk
 * sees every such cycle as a back edge; naming each back edge's target breaks
 * them all.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { JsonSchema, JsonSchemaObject, Origin } from '../model/ir.js';
import { isUnknownFormat } from './format-table.js';
import {
  type KeywordShape,
  hasShape,
  isAnnotationKeyword,
  isSchemaObject,
  keywordShape,
  ownEntries,
  readOwn,
  stringAt,
  subschemaEdges,
} from './keywords.js';
import { appendPointer, componentSchemaPointer, componentTypeHint, subschemaNameWords } from './naming.js';
import { PatternTable } from './patterns.js';

export interface SchemaRootInput {
  readonly schema: JsonSchema;
  /** Name for the root's type when the schema is not a named component (already PascalCase). */
  readonly nameHint: string;
  /** JSON pointer of the root in the resolved document. */
  readonly origin: Origin;
}

export interface NamedSchema {
  readonly schema: JsonSchema;
  readonly typeName: string;
  readonly origin: Origin;
}

export interface SchemaPlan {
  /** Every named schema in declaration order (roots first, then as discovered). */
  readonly named: ReadonlyArray<NamedSchema>;
  /** The named schema of each input root, same order as the input. */
  readonly roots: ReadonlyArray<NamedSchema>;
  /** The named type of a schema object, when it has one. */
  readonly nameOf: (schema: JsonSchema) => string | undefined;
  readonly patterns: PatternTable;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

export interface PlanOptions {
  readonly roots: ReadonlyArray<SchemaRootInput>;
  readonly componentSchemaNames: ReadonlyMap<object, string>;
  readonly claimName: (hint: string, origin: Origin) => string;
}

interface Visit {
  readonly pointer: string;
  /** Name of the nearest named schema above, plus the path words from it. */
  readonly contextName: string;
}

export function planSchemas(options: PlanOptions): SchemaPlan {
  const { componentSchemaNames, claimName } = options;
  const named: NamedSchema[] = [];
  const byObject = new Map<object, NamedSchema>();
  const diagnostics: Diagnostic[] = [];
  const patterns = new PatternTable();
  const reportedFormats = new Set<string>();
  const pendingBodies: NamedSchema[] = [];
  const onStack = new Map<object, Visit>();
  const done = new Set<object>();

  const declare = (schema: JsonSchema, hint: string, origin: Origin): NamedSchema => {
    const entry: NamedSchema = { schema, typeName: claimName(hint, origin), origin };
    named.push(entry);
    if (typeof schema === 'object') byObject.set(schema, entry);
    return entry;
  };

  const declareComponent = (schema: JsonSchemaObject, key: string): NamedSchema => {
    const entry = declare(schema, componentTypeHint(key), componentSchemaPointer(key));
    pendingBodies.push(entry);
    return entry;
  };

  const roots = options.roots.map((root) => {
    const { schema } = root;
    if (typeof schema === 'object') {
      const existing = byObject.get(schema);
      if (existing !== undefined) return existing;
      const key = componentSchemaNames.get(schema);
      if (key !== undefined) return declareComponent(schema, key);
    }
    const entry = declare(schema, root.nameHint, root.origin);
    pendingBodies.push(entry);
    return entry;
  });

  const inspect = (schema: JsonSchemaObject, pointer: string): void => {
    diagnostics.push(...inspectKeywords(schema, pointer, patterns));
    const format = stringAt(schema, 'format');
    if (format !== undefined && isUnknownFormat(format) && !reportedFormats.has(format)) {
      reportedFormats.add(format);
      diagnostics.push({
        severity: 'info',
        code: 'schema-unknown-format',
        message: `Format "${format}" is not known; values are accepted without a format check.`,
        pointer,
      });
    }
  };

  const visitChildren = (schema: JsonSchemaObject, visit: Visit): void => {
    for (const edge of subschemaEdges(schema, subschemaNameWords)) {
      const child = edge.schema;
      if (!isSchemaObject(child) || byObject.has(child)) continue;
      const childVisit: Visit = {
        pointer: appendPointer(visit.pointer, edge.segments),
        contextName: visit.contextName + edge.nameWords,
      };
      const key = componentSchemaNames.get(child);
      if (key !== undefined) {
        declareComponent(child, key);
      } else if (onStack.has(child)) {
        const first = onStack.get(child) ?? childVisit;
        declare(child, first.contextName, first.pointer);
      } else if (!done.has(child)) {
        onStack.set(child, childVisit);
        inspect(child, childVisit.pointer);
        visitChildren(child, childVisit);
        onStack.delete(child);
        done.add(child);
      }
    }
  };

  for (let i = 0; i < pendingBodies.length; i++) {
    const entry = pendingBodies[i];
    if (entry === undefined || typeof entry.schema !== 'object') continue;
    const visit: Visit = { pointer: entry.origin, contextName: entry.typeName };
    inspect(entry.schema, visit.pointer);
    visitChildren(entry.schema, visit);
  }

  return {
    named,
    roots,
    nameOf: (schema) => (typeof schema === 'object' ? byObject.get(schema)?.typeName : undefined),
    patterns,
    diagnostics,
  };
}

const SHAPE_DESCRIPTIONS: Readonly<Record<KeywordShape, string>> = {
  schema: 'a schema (an object or a boolean)',
  schemaArray: 'an array of schemas',
  schemaMap: 'an object whose values are schemas',
  schemaOrSchemaArray: 'a schema or an array of schemas',
  dependencies: 'an object whose values are schemas or arrays of property names',
  stringArrayMap: 'an object whose values are arrays of property names',
  type: 'a JSON type name or an array of them',
  number: 'a number',
  count: 'a non-negative integer',
  numberOrBoolean: 'a number (or a boolean in draft 4)',
  positiveNumber: 'a number greater than 0',
  boolean: 'a boolean',
  string: 'a string',
  stringArray: 'an array of strings',
  array: 'an array',
  anyValue: 'a JSON value of every kind',
};

/** Malformed, unsupported and unknown keywords of one schema object, and its patterns. */
function inspectKeywords(schema: JsonSchemaObject, pointer: string, patterns: PatternTable): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [keyword, value] of ownEntries(schema)) {
    if (isAnnotationKeyword(keyword)) continue;
    const shape = keywordShape(keyword);
    if (shape === undefined) {
      diagnostics.push({
        severity: 'warning',
        code: 'schema-unsupported-keyword',
        message: `Keyword "${keyword}" is not supported; it is ignored by the generated types and validators.`,
        pointer,
        hint: 'Express the constraint with supported keywords, or accept that it is not checked.',
      });
    } else if (!hasShape(value, shape)) {
      diagnostics.push({
        severity: 'warning',
        code: 'schema-invalid-keyword',
        message: `Keyword "${keyword}" has a malformed value; it is ignored.`,
        pointer: appendPointer(pointer, [keyword]),
        hint: `The value of "${keyword}" must be ${SHAPE_DESCRIPTIONS[shape]}.`,
      });
    }
  }
  const checkPattern = (pattern: string, at: string): void => {
    const compiled = patterns.compile(pattern);
    if (compiled === undefined) {
      diagnostics.push({
        severity: 'warning',
        code: 'schema-invalid-pattern',
        message: `Pattern ${JSON.stringify(pattern)} is not a valid regular expression; the check is skipped.`,
        pointer: at,
        hint: 'Patterns are ECMA-262 regular expressions (as in JavaScript, with the "u" flag).',
      });
    } else if (compiled.flags !== 'u') {
      diagnostics.push({
        severity: 'info',
        code: 'schema-pattern-not-unicode',
        message: `Pattern ${JSON.stringify(pattern)} is only valid without the "u" flag; it is checked without it.`,
        pointer: at,
      });
    }
  };
  const pattern = stringAt(schema, 'pattern');
  if (pattern !== undefined) checkPattern(pattern, appendPointer(pointer, ['pattern']));
  const patternProperties = readOwn(schema, 'patternProperties');
  if (isSchemaObject(patternProperties)) {
    for (const [key] of ownEntries(patternProperties)) checkPattern(key, appendPointer(pointer, ['patternProperties', key]));
  }
  return diagnostics;
}
