/**
 * Schema -> TypeScript type declarations. Named schemas (roots, components,
 * cycle members) become `export interface` / `export type` declarations; every
 * other schema is inlined where it is used.
 *
 * The types are never narrower than what the validators accept, except where
 * a schema without `type` is read as the type its keywords imply (a schema
 * with `properties` is typed as an object), which is what authors mean.
 */
import type { JsonSchema, JsonSchemaObject } from '../model/ir.js';
import { jsDoc, propertyKey, stringLiteral } from '../render/escape.js';
import { schemaDocLines } from './docs.js';
import { formatCheck } from './format-table.js';
import {
  type JsonType,
  arrayAt,
  hasKeyword,
  isNullable,
  isSchemaObject,
  numberAt,
  readOwn,
  schemaArrayAt,
  schemaAt,
  schemaMapAt,
  stringArrayAt,
  stringAt,
  typeAllows,
  typesAt,
} from './keywords.js';
import type { NamedSchema, SchemaPlan } from './plan.js';
import {
  NEVER,
  NULL,
  Precedence,
  type TypeExpr,
  UNKNOWN,
  arrayOf,
  intersection,
  primary,
  union,
  wrap,
} from './type-expr.js';

const INDENT = '  ';

/**
 * Members of TypeScript's `Object` interface. An object literal "has" them
 * through its apparent type, so an optional property of another type with one
 * of these names would reject every literal that leaves it out; typing it as
 * `T | Object['name']` is also what reading it from such an object yields.
 */
const OBJECT_INTERFACE_MEMBERS: ReadonlySet<string> = new Set([
  'constructor', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
]);

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The `Object` member names (see above) that the object types of a schema declare as properties,
 * through its `allOf`/`anyOf`/`oneOf` subschemas too.
 *
 * Why: in an intersection `A & B`, TypeScript contextually types an object literal's property by
 * intersecting the property of every member, and a member that does not declare `toString`
 * contributes `Object`'s `toString` (a function). Properties that functions also have (`name`,
 * `length`) then lose their literal types inside the value, and a literal like
 * `{ toString: { name: false } }` is rejected although the type accepts the value. Declaring the name
 * in every inline object member of the intersection avoids that (named members cannot be patched here).
 */
function objectMemberNames(schema: JsonSchema, found = new Set<string>(), seen = new Set<object>()): Set<string> {
  if (typeof schema !== 'object' || seen.has(schema)) return found;
  seen.add(schema);
  const names = [...(schemaMapAt(schema, 'properties') ?? []).map(([name]) => name), ...(stringArrayAt(schema, 'required') ?? [])];
  for (const name of names) if (OBJECT_INTERFACE_MEMBERS.has(name)) found.add(name);
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    for (const part of schemaArrayAt(schema, keyword) ?? []) objectMemberNames(part, found, seen);
  }
  return found;
}

export function renderTypeDeclarations(plan: SchemaPlan): string {
  return plan.named.map((entry) => renderDeclaration(entry, plan.nameOf)).join('\n');
}

function renderDeclaration(entry: NamedSchema, nameOf: SchemaPlan['nameOf']): string {
  const body = new TypeRenderer(nameOf).body(entry.schema, '');
  const doc = jsDoc(schemaDocLines(entry.schema));
  return body.objectLiteral === true
    ? `${doc}export interface ${entry.typeName} ${body.text}\n`
    : `${doc}export type ${entry.typeName} = ${body.text};\n`;
}

const OBJECT_KEYWORDS = [
  'properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties',
  'maxProperties', 'dependentRequired', 'dependentSchemas', 'dependencies',
];
const ARRAY_KEYWORDS = ['items', 'prefixItems', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

/**
 * The schema's `type`, or when absent the types its keywords imply
 * (`properties` -> object, `items` -> array, `pattern` -> string, ...).
 */
export function effectiveTypes(schema: JsonSchemaObject): ReadonlyArray<JsonType> | undefined {
  const declared = typesAt(schema);
  if (declared !== undefined) return declared;
  const implied: JsonType[] = [];
  const uses = (keywords: ReadonlyArray<string>): boolean => keywords.some((k) => hasKeyword(schema, k));
  const format = stringAt(schema, 'format');
  const formatType = format === undefined ? undefined : formatCheck(format)?.appliesTo;
  if (uses(OBJECT_KEYWORDS)) implied.push('object');
  if (uses(ARRAY_KEYWORDS)) implied.push('array');
  if (uses(STRING_KEYWORDS) || formatType === 'string') implied.push('string');
  if (uses(NUMBER_KEYWORDS) || formatType === 'number') implied.push('number');
  return implied.length > 0 ? implied : undefined;
}

/** An object schema whose properties can be merged into its `allOf` sibling's object type. */
function isPlainObjectPart(schema: JsonSchemaObject): boolean {
  const types = effectiveTypes(schema);
  if (types === undefined || types.length !== 1 || types[0] !== 'object') return false;
  if (isNullable(schema)) return false;
  return !['const', 'enum', 'allOf', 'anyOf', 'oneOf', 'additionalProperties', 'patternProperties'].some((k) =>
    hasKeyword(schema, k),
  );
}

class TypeRenderer {
  constructor(private readonly nameOf: SchemaPlan['nameOf']) {}

  /**
   * The type of a schema where it is used: a name for named schemas, else its structure inline.
   * `shadowed`: `Object` member names that sibling members of an intersection declare (see `objectMemberNames`).
   */
  reference(schema: JsonSchema, indent: string, shadowed: ReadonlySet<string> = NO_NAMES): TypeExpr {
    if (schema === true) return UNKNOWN;
    if (schema === false) return NEVER;
    const name = this.nameOf(schema);
    return name !== undefined ? primary(name) : this.body(schema, indent, shadowed);
  }

  /** The structure of a schema, never its own name. */
  body(schema: JsonSchema, indent: string, shadowed: ReadonlySet<string> = NO_NAMES): TypeExpr {
    if (schema === true) return UNKNOWN;
    if (schema === false) return NEVER;
    // Members of the intersection built here, and of the one around it, must declare these names.
    const combined = ['allOf', 'anyOf', 'oneOf'].some((keyword) => hasKeyword(schema, keyword));
    const siblings = combined ? objectMemberNames(schema, new Set(shadowed)) : shadowed;
    const types = effectiveTypes(schema);
    const literal = this.literalType(schema, types);
    const mergesObjects = literal === undefined && (types === undefined || (types.length === 1 && types[0] === 'object'));
    const objectSources: JsonSchemaObject[] = [schema];
    const parts: TypeExpr[] = [];
    let namedParts = 0;

    for (const part of schemaArrayAt(schema, 'allOf') ?? []) {
      if (mergesObjects && isSchemaObject(part) && this.nameOf(part) === undefined && isPlainObjectPart(part)) {
        objectSources.push(part);
      } else {
        if (this.nameOf(part) !== undefined) namedParts += 1;
        parts.push(this.reference(part, indent, siblings));
      }
    }
    const choices = ['anyOf', 'oneOf'].some((keyword) => hasKeyword(schema, keyword));
    for (const keyword of ['anyOf', 'oneOf']) {
      const options = schemaArrayAt(schema, keyword);
      if (options !== undefined) parts.push(union(options.map((option) => this.reference(option, indent, siblings))));
    }

    let base: TypeExpr = UNKNOWN;
    if (literal !== undefined) base = literal;
    else if (types !== undefined) base = union(types.map((type) => this.typeFor(type, schema, objectSources, indent, siblings)));
    else if (objectSources.length > 1) base = this.objectType(objectSources, indent, siblings);

    let result = intersection([base, ...parts]);
    // A named member cannot be made to declare the Object member names its siblings declare, so it
    // would lend them Object's (see objectMemberNames); one mapped object type declares them once.
    if (namedParts > 0 && !choices && siblings.size > 0 && result.precedence === Precedence.Intersection) {
      const members = wrap(result, Precedence.Primary);
      result = primary(`{ [K in keyof ${members}]: ${members}[K] }`);
    }
    return isNullable(schema) ? union([result, NULL]) : result;
  }

  private typeFor(
    type: JsonType,
    schema: JsonSchemaObject,
    objectSources: JsonSchemaObject[],
    indent: string,
    shadowed: ReadonlySet<string>,
  ): TypeExpr {
    switch (type) {
      case 'string':
        return primary('string');
      case 'number':
      case 'integer':
        return primary('number');
      case 'boolean':
        return primary('boolean');
      case 'null':
        return NULL;
      case 'array':
        return this.arrayType(schema, indent);
      case 'object':
        return this.objectType(objectSources, indent, shadowed);
    }
  }

  /** `const` / `enum` as literal types, keeping only values the `type` allows. */
  private literalType(schema: JsonSchemaObject, types: ReadonlyArray<JsonType> | undefined): TypeExpr | undefined {
    const allowed = (value: unknown): boolean => types === undefined || typeAllows(types, value);
    if (hasKeyword(schema, 'const')) {
      const value = readOwn(schema, 'const');
      return allowed(value) ? literalOf(value) : NEVER;
    }
    const values = arrayAt(schema, 'enum');
    if (values === undefined) return undefined;
    return union(values.filter(allowed).map(literalOf));
  }

  private objectType(sources: ReadonlyArray<JsonSchemaObject>, indent: string, shadowed: ReadonlySet<string> = NO_NAMES): TypeExpr {
    const memberIndent = indent + INDENT;
    const properties = new Map<string, { schemas: JsonSchema[]; required: boolean }>();
    const property = (name: string): { schemas: JsonSchema[]; required: boolean } => {
      let entry = properties.get(name);
      if (entry === undefined) {
        entry = { schemas: [], required: false };
        properties.set(name, entry);
      }
      return entry;
    };
    for (const source of sources) {
      for (const [name, schema] of schemaMapAt(source, 'properties') ?? []) property(name).schemas.push(schema);
      for (const name of stringArrayAt(source, 'required') ?? []) property(name).required = true;
    }

    const members: string[] = [];
    const propertyTypes: TypeExpr[] = [];
    for (const [name, { schemas, required }] of properties) {
      const declared = schemas.length === 0 ? UNKNOWN : intersection(schemas.map((s) => this.reference(s, memberIndent)));
      const inherited = !required && OBJECT_INTERFACE_MEMBERS.has(name);
      const type = inherited ? union([declared, primary(`Object[${stringLiteral(name)}]`)]) : declared;
      propertyTypes.push(type);
      const only = schemas.length === 1 ? schemas[0] : undefined;
      const doc = only !== undefined && this.nameOf(only) === undefined ? jsDoc(schemaDocLines(only), memberIndent) : '';
      members.push(`${doc}${memberIndent}${propertyKey(name)}${required ? '' : '?'}: ${type.text};`);
    }

    const indexType = this.indexSignatureType(sources[0], properties.size > 0, memberIndent);
    // Names a sibling in an intersection declares: optional here, with the type extra keys have here.
    for (const name of shadowed) {
      if (!properties.has(name)) members.push(`${memberIndent}${propertyKey(name)}?: ${indexType?.text ?? 'unknown'};`);
    }
    if (indexType !== undefined) {
      const sound = indexType.text === 'never' ? indexType : union([indexType, ...propertyTypes]);
      members.push(`${memberIndent}[key: string]: ${sound.text};`);
    }
    return { text: `{\n${members.join('\n')}\n${indent}}`, precedence: Precedence.Primary, objectLiteral: true };
  }

  /**
   * The value type of keys other than the named properties: `undefined` when the
   * type has no index signature (additional properties unconstrained and named
   * properties present, or forbidden).
   */
  private indexSignatureType(schema: JsonSchemaObject | undefined, hasProperties: boolean, indent: string): TypeExpr | undefined {
    if (schema === undefined) return hasProperties ? undefined : UNKNOWN;
    const patternTypes = (schemaMapAt(schema, 'patternProperties') ?? []).map(([, s]) => this.reference(s, indent));
    const additional = schemaAt(schema, 'additionalProperties');
    if (additional === undefined) {
      if (patternTypes.length > 0) return union(patternTypes);
      return hasProperties ? undefined : UNKNOWN;
    }
    if (additional === false) {
      if (patternTypes.length > 0) return union(patternTypes);
      return hasProperties ? undefined : NEVER;
    }
    return union([...patternTypes, this.reference(additional, indent)]);
  }

  private arrayType(schema: JsonSchemaObject, indent: string): TypeExpr {
    const rawItems = readOwn(schema, 'items');
    let tuple: ReadonlyArray<JsonSchema> | undefined;
    let rest: JsonSchema | undefined;
    const prefixItems = schemaArrayAt(schema, 'prefixItems');
    if (prefixItems !== undefined) {
      tuple = prefixItems;
      rest = Array.isArray(rawItems) ? undefined : schemaAt(schema, 'items');
    } else if (Array.isArray(rawItems)) {
      tuple = schemaArrayAt(schema, 'items');
      rest = schemaAt(schema, 'additionalItems');
    } else {
      const items = schemaAt(schema, 'items');
      if (items === false) return primary('[]');
      return arrayOf(items === undefined ? UNKNOWN : this.reference(items, indent));
    }
    if (tuple === undefined) return arrayOf(UNKNOWN);

    const minItems = numberAt(schema, 'minItems') ?? 0;
    const maxItems = numberAt(schema, 'maxItems') ?? Number.POSITIVE_INFINITY;
    const elements = tuple.slice(0, maxItems).map((item, index) => {
      const type = this.reference(item, indent);
      return index < minItems ? type.text : `${wrap(type, Precedence.Primary)}?`;
    });
    if (maxItems > tuple.length && rest !== false) {
      elements.push(`...${arrayOf(rest === undefined ? UNKNOWN : this.reference(rest, indent)).text}`);
    }
    return primary(`[${elements.join(', ')}]`);
  }
}

/** The literal type of a JSON value: `'a'`, `1`, `true`, `null`, tuples and object literals. */
export function literalOf(value: unknown): TypeExpr {
  if (value === null) return NULL;
  switch (typeof value) {
    case 'string':
      return primary(stringLiteral(value));
    case 'number':
      if (!Number.isFinite(value)) return primary('number');
      // `-1[]` parses, but `(-1)[]` is what a reader expects.
      return value < 0 ? { text: String(value), precedence: Precedence.Intersection } : primary(String(value));
    case 'boolean':
      return primary(String(value));
    case 'object': {
      if (Array.isArray(value)) return primary(`[${value.map((item: unknown) => literalOf(item).text).join(', ')}]`);
      const entries = Object.entries(value);
      if (entries.length === 0) return primary('Record<string, never>');
      return primary(`{ ${entries.map(([key, item]) => `${propertyKey(key)}: ${literalOf(item).text}`).join('; ')} }`);
    }
    default:
      return UNKNOWN;
  }
}
