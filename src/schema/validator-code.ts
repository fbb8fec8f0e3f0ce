/**
 * Validation code for one schema, as TypeScript statements.
 *
 * Two modes share one emitter:
 * - `collect` reports every failure with its path into `issues` and goes on;
 * - `test` answers yes/no and jumps out at the first failure (`return false`
 *   at the top of a function, `break label` inside a sub-test).
 * Sub-tests (`anyOf`, `oneOf`, `not`, `if`, `contains`, `propertyNames`) always
 * run in `test` mode inside a labelled block, so no closure is ever created.
 *
 * Each subschema applied to the same value in place gets a fresh `unknown`
 * binding, so narrowing done by a sibling (`typeof x === 'string'`) can never
 * make a later comparison ill-typed.
 */
import type { JsonSchema, JsonSchemaObject } from '../model/ir.js';
import { jsonLiteral, regexConstructor, stringLiteral } from '../render/escape.js';
import { PathExpr, block, indent, usesIdentifier } from './code.js';
import { formatCheck } from './format-table.js';
import {
  type JsonType,
  arrayAt,
  booleanAt,
  dependentRequiredAt,
  dependentSchemasAt,
  hasKeyword,
  isNullable,
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
import type { PatternTable } from './patterns.js';

/** Module-wide state: hoisted constants, shared by every function of the module. */
export class ModuleConstants {
  readonly declarations: string[] = [];
  readonly #byInitialiser = new Map<string, string>();
  readonly #counters = new Map<string, number>();

  /** A module-level `const` for `initialiser`, reused when the same one is asked for again. */
  hoist(prefix: string, typeAnnotation: string, initialiser: string): string {
    const key = `${typeAnnotation}=${initialiser}`;
    const existing = this.#byInitialiser.get(key);
    if (existing !== undefined) return existing;
    const count = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, count);
    const name = `${prefix}${count}`;
    this.#byInitialiser.set(key, name);
    this.declarations.push(`const ${name}${typeAnnotation === '' ? '' : `: ${typeAnnotation}`} = ${initialiser};`);
    return name;
  }
}

/** Per generated function: a counter for local names, so names are unique and deterministic. */
class Locals {
  #count = 0;
  next(prefix: string): string {
    this.#count += 1;
    return `${prefix}${this.#count}`;
  }
}

type Mode = 'collect' | 'test';

interface Ctx {
  readonly mode: Mode;
  /** In `test` mode: the statement that fails the current test. */
  readonly failJump: string;
  readonly locals: Locals;
}

/** A message known now, or a run-time string expression. */
type Message = string | { readonly expression: string };

export interface EmitterOptions {
  readonly nameOf: (schema: JsonSchema) => string | undefined;
  readonly patterns: PatternTable;
  readonly constants: ModuleConstants;
}

const INLINE_ENUM_LIMIT = 6;
const INLINE_KEYS_LIMIT = 8;

export class ValidatorEmitter {
  constructor(private readonly options: EmitterOptions) {}

  /** Body of `check<T>(value, path, issues)`: reports every issue. */
  collectBody(schema: JsonSchema): string[] {
    return this.schema(schema, 'value', PathExpr.root, { mode: 'collect', failJump: '', locals: new Locals() }, true);
  }

  /** Body of `test<T>(value)`: returns false at the first failure. */
  testBody(schema: JsonSchema): string[] {
    return this.schema(schema, 'value', PathExpr.root, { mode: 'test', failJump: 'return false;', locals: new Locals() }, true);
  }

  private fail(ctx: Ctx, path: PathExpr, message: Message, keyword: string): string[] {
    if (ctx.mode === 'test') return [ctx.failJump];
    const text = typeof message === 'string' ? stringLiteral(message) : message.expression;
    // A call of plain arguments, not an object literal per issue: tsc checks thousands of these in a
    // large document, and contextual typing of each literal was a fifth of its validators' time.
    return [`core.addIssue(issues, ${path.render()}, ${text}, ${stringLiteral(keyword)});`];
  }

  /** `if (failed) <fail>` as lines. */
  private failIf(ctx: Ctx, condition: string, path: PathExpr, message: Message, keyword: string): string[] {
    const failure = this.fail(ctx, path, message, keyword);
    return failure.length === 1 ? [`if (${condition}) ${failure[0] ?? ''}`] : block(`if (${condition}) {`, failure);
  }

  /** Checks `data` (an identifier) against `schema`; `declaration` is set for a named schema's own body. */
  private schema(schema: JsonSchema, data: string, path: PathExpr, ctx: Ctx, declaration = false): string[] {
    if (schema === true) return [];
    if (schema === false) return this.fail(ctx, path, 'is not allowed', 'false');
    const name = declaration ? undefined : this.options.nameOf(schema);
    if (name !== undefined) {
      return ctx.mode === 'test'
        ? [`if (!test${name}(${data})) ${ctx.failJump}`]
        : [`check${name}(${data}, ${path.render()}, issues);`];
    }
    return this.schemaObject(schema, data, path, ctx);
  }

  private schemaObject(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const nullable = isNullable(schema);
    const declared = typesAt(schema);
    // With `nullable`, null is accepted before anything else is looked at.
    const types = nullable && declared !== undefined ? declared.filter((t) => t !== 'null') : declared;
    const rest = [
      ...this.enumAndConst(schema, data, path, ctx, types, nullable),
      ...this.sections(schema, data, path, ctx, types),
      ...this.inPlaceApplicators(schema, data, path, ctx),
    ];
    let lines = rest;
    if (types !== undefined) {
      // `types` is empty when a nullable schema only allows null, which the null short-cut handled.
      const condition = types.length === 0 ? 'true' : negate(either(types.map((t) => typeCondition(t, data))));
      const message = `must be ${types.length === 0 ? 'null' : types.join(' or ')}`;
      if (ctx.mode === 'test') lines = [...this.failIf(ctx, condition, path, message, 'type'), ...rest];
      else {
        const failure = this.fail(ctx, path, message, 'type');
        lines = rest.length === 0 ? block(`if (${condition}) {`, failure) : [`if (${condition}) {`, ...indent(failure), '} else {', ...indent(rest), '}'];
      }
    }
    return nullable ? block(`if (${data} !== null) {`, lines) : lines;
  }

  private enumAndConst(
    schema: JsonSchemaObject,
    data: string,
    path: PathExpr,
    ctx: Ctx,
    types: ReadonlyArray<JsonType> | undefined,
    nullable: boolean,
  ): string[] {
    // Values the type check (or the null short-cut) already excludes can never match, and
    // comparing with them would not type-check against the narrowed value.
    const reachable = (value: unknown): boolean =>
      (types === undefined || typeAllows(types, value)) && !(nullable && value === null);
    const lines: string[] = [];
    if (hasKeyword(schema, 'const')) {
      const value = readOwn(schema, 'const');
      const message = `must be equal to constant ${shortJson(value) ?? ''}`.trimEnd();
      const condition = reachable(value) ? negate(this.equalsCondition(data, value)) : 'true';
      lines.push(...this.failIf(ctx, condition, path, message, 'const'));
    }
    const values = arrayAt(schema, 'enum');
    if (values !== undefined) {
      const allowed = values.filter(reachable);
      const listed = values.map(shortJson);
      const message = listed.every((v) => v !== undefined) && listed.join(', ').length <= 120
        ? `must be one of ${listed.join(', ')}`
        : 'must be equal to one of the allowed values';
      lines.push(...this.failIf(ctx, negate(this.enumCondition(data, allowed)), path, message, 'enum'));
    }
    return lines;
  }

  private equalsCondition(data: string, value: unknown): string {
    if (typeof value !== 'object' || value === null) return `${data} === ${jsonLiteral(value)}`;
    const constant = this.options.constants.hoist('constant', 'unknown', jsonLiteral(value));
    return `core.deepEqual(${data}, ${constant})`;
  }

  private enumCondition(data: string, values: ReadonlyArray<unknown>): string {
    if (values.length === 0) return 'false';
    const primitive = values.every((v) => typeof v !== 'object' || v === null);
    if (primitive && values.length <= INLINE_ENUM_LIMIT) return values.map((v) => `${data} === ${jsonLiteral(v)}`).join(' || ');
    const list = values.map(jsonLiteral).join(', ');
    if (primitive) {
      const set = this.options.constants.hoist('allowed', 'ReadonlySet<unknown>', `new Set<unknown>([${list}])`);
      return `${set}.has(${data})`;
    }
    const array = this.options.constants.hoist('allowed', 'ReadonlyArray<unknown>', `[${list}]`);
    return `core.includesDeep(${array}, ${data})`;
  }

  /** Keywords that only apply to one type of value, each under a guard for that type. */
  private sections(
    schema: JsonSchemaObject,
    data: string,
    path: PathExpr,
    ctx: Ctx,
    types: ReadonlyArray<JsonType> | undefined,
  ): string[] {
    const lines: string[] = [];
    const section = (family: 'string' | 'number' | 'object' | 'array', body: string[]): void => {
      if (body.length === 0) return;
      const members: ReadonlyArray<JsonType> = family === 'number' ? ['number', 'integer'] : [family];
      if (types !== undefined && !types.some((t) => members.includes(t))) return;
      // When every declared type is of this family, the type check has narrowed the value already.
      const checked = types !== undefined && types.every((t) => members.includes(t));
      if (checked) lines.push(...body);
      else lines.push(...block(`if (${sectionGuard(family, data)}) {`, body));
    };
    section('string', this.stringKeywords(schema, data, path, ctx));
    section('number', this.numberKeywords(schema, data, path, ctx));
    section('object', this.objectKeywords(schema, data, path, ctx));
    section('array', this.arrayKeywords(schema, data, path, ctx));
    return lines;
  }

  private stringKeywords(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const lines: string[] = [];
    const minLength = numberAt(schema, 'minLength');
    if (minLength !== undefined && minLength > 0) {
      // Code points are at most two code units: `length` alone decides most cases.
      const condition = `${data}.length < ${minLength} || (${data}.length < ${minLength * 2} && core.codePointLength(${data}) < ${minLength})`;
      lines.push(...this.failIf(ctx, condition, path, `must NOT have fewer than ${minLength} characters`, 'minLength'));
    }
    const maxLength = numberAt(schema, 'maxLength');
    if (maxLength !== undefined) {
      const condition = `${data}.length > ${maxLength} && core.codePointLength(${data}) > ${maxLength}`;
      lines.push(...this.failIf(ctx, condition, path, `must NOT have more than ${maxLength} characters`, 'maxLength'));
    }
    const pattern = stringAt(schema, 'pattern');
    const regex = pattern === undefined ? undefined : this.regex(pattern);
    if (pattern !== undefined && regex !== undefined) {
      lines.push(...this.failIf(ctx, negate(`${regex}.test(${data})`), path, `must match pattern ${JSON.stringify(pattern)}`, 'pattern'));
    }
    lines.push(...this.format(schema, data, path, ctx, 'string'));
    return lines;
  }

  private format(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx, family: 'string' | 'number'): string[] {
    const format = stringAt(schema, 'format');
    const check = format === undefined ? undefined : formatCheck(format);
    if (format === undefined || check === undefined || check.appliesTo !== family) return [];
    return this.failIf(ctx, `!formats.${check.checker}(${data})`, path, `must match format ${JSON.stringify(format)}`, 'format');
  }

  /** A hoisted regular expression for a pattern, or `undefined` when the pattern is invalid (already reported). */
  private regex(pattern: string): string | undefined {
    const compiled = this.options.patterns.compile(pattern);
    if (compiled === undefined) return undefined;
    return this.options.constants.hoist('pattern', '', regexConstructor(compiled.source, compiled.flags));
  }

  private numberKeywords(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const lines: string[] = [];
    const bound = (limit: string, exclusiveLimit: string, below: boolean): void => {
      const value = numberAt(schema, limit);
      const exclusive = readOwn(schema, exclusiveLimit);
      const [inclusiveOp, exclusiveOp] = below ? ['<', '<='] : ['>', '>='];
      const [inclusiveWord, exclusiveWord] = below ? ['>=', '>'] : ['<=', '<'];
      if (value !== undefined) {
        // Draft 4: a boolean `exclusiveMinimum` turns `minimum` exclusive.
        const draft4Exclusive = exclusive === true;
        lines.push(
          ...this.failIf(
            ctx,
            `${data} ${draft4Exclusive ? exclusiveOp : inclusiveOp} ${numberLiteral(value)}`,
            path,
            `must be ${draft4Exclusive ? exclusiveWord : inclusiveWord} ${value}`,
            draft4Exclusive ? exclusiveLimit : limit,
          ),
        );
      }
      const exclusiveValue = numberAt(schema, exclusiveLimit);
      if (exclusiveValue !== undefined) {
        lines.push(...this.failIf(ctx, `${data} ${exclusiveOp} ${numberLiteral(exclusiveValue)}`, path, `must be ${exclusiveWord} ${exclusiveValue}`, exclusiveLimit));
      }
    };
    bound('minimum', 'exclusiveMinimum', true);
    bound('maximum', 'exclusiveMaximum', false);
    const multipleOf = numberAt(schema, 'multipleOf');
    if (multipleOf !== undefined) {
      lines.push(...this.failIf(ctx, `!core.isMultipleOf(${data}, ${numberLiteral(multipleOf)})`, path, `must be a multiple of ${multipleOf}`, 'multipleOf'));
    }
    lines.push(...this.format(schema, data, path, ctx, 'number'));
    return lines;
  }

  private objectKeywords(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const lines: string[] = [];
    const properties = schemaMapAt(schema, 'properties') ?? [];
    const required = [...new Set(stringArrayAt(schema, 'required') ?? [])];
    const missing = (name: string): { condition: string; failure: string[] } => ({
      condition: `!core.hasOwn(${data}, ${stringLiteral(name)})`,
      failure: this.fail(ctx, path, `must have required property '${name}'`, 'required'),
    });
    for (const name of required) {
      if (properties.some(([property]) => property === name)) continue;
      const { condition, failure } = missing(name);
      lines.push(...(failure.length === 1 ? [`if (${condition}) ${failure[0] ?? ''}`] : block(`if (${condition}) {`, failure)));
    }
    const minProperties = numberAt(schema, 'minProperties');
    const maxProperties = numberAt(schema, 'maxProperties');
    if ((minProperties !== undefined && minProperties > 0) || maxProperties !== undefined) {
      const count = ctx.locals.next('n');
      lines.push(`const ${count} = core.ownKeyCount(${data});`);
      if (minProperties !== undefined && minProperties > 0) {
        lines.push(...this.failIf(ctx, `${count} < ${minProperties}`, path, `must NOT have fewer than ${minProperties} properties`, 'minProperties'));
      }
      if (maxProperties !== undefined) {
        lines.push(...this.failIf(ctx, `${count} > ${maxProperties}`, path, `must NOT have more than ${maxProperties} properties`, 'maxProperties'));
      }
    }
    for (const [trigger, needed] of dependentRequiredAt(schema)) {
      const checks = needed.flatMap((name) =>
        this.failIf(ctx, `!core.hasOwn(${data}, ${stringLiteral(name)})`, path, `must have property '${name}' when property '${trigger}' is present`, 'dependentRequired'),
      );
      lines.push(...block(`if (core.hasOwn(${data}, ${stringLiteral(trigger)})) {`, checks));
    }
    for (const [name, subschema] of properties) {
      const value = ctx.locals.next('v');
      const checks = this.schema(subschema, value, path.child(name), ctx);
      const binding = usesIdentifier(checks, value) ? [`const ${value} = ${data}[${stringLiteral(name)}];`] : [];
      const present = `core.hasOwn(${data}, ${stringLiteral(name)})`;
      if (!required.includes(name)) {
        lines.push(...block(`if (${present}) {`, [...binding, ...checks]));
        continue;
      }
      // Required and described: one own-property test for both.
      const { condition, failure } = missing(name);
      if (checks.length === 0) lines.push(...this.failIf(ctx, condition, path, `must have required property '${name}'`, 'required'));
      else if (ctx.mode === 'test') lines.push(`if (${condition}) ${ctx.failJump}`, ...binding, ...checks);
      else lines.push(`if (${condition}) {`, ...indent(failure), '} else {', ...indent([...binding, ...checks]), '}');
    }
    lines.push(...this.propertyLoop(schema, data, path, ctx, properties.map(([name]) => name)));
    for (const [trigger, subschema] of dependentSchemasAt(schema)) {
      lines.push(...block(`if (core.hasOwn(${data}, ${stringLiteral(trigger)})) {`, this.inPlace(subschema, data, path, ctx)));
    }
    return lines;
  }

  /** `patternProperties`, `additionalProperties` and `propertyNames`: one pass over the keys. */
  private propertyLoop(
    schema: JsonSchemaObject,
    data: string,
    path: PathExpr,
    ctx: Ctx,
    knownNames: ReadonlyArray<string>,
  ): string[] {
    const propertyNames = schemaAt(schema, 'propertyNames');
    const patternProperties = schemaMapAt(schema, 'patternProperties') ?? [];
    const additional = schemaAt(schema, 'additionalProperties');
    const needsLoop = (propertyNames !== undefined && propertyNames !== true)
      || patternProperties.length > 0
      || (additional !== undefined && additional !== true);
    if (!needsLoop) return [];
    const key = ctx.locals.next('k');
    const value = ctx.locals.next('v');
    const body: string[] = [];

    if (propertyNames !== undefined && propertyNames !== true) {
      const test = this.subTest(propertyNames, key, ctx);
      const message = { expression: `'must NOT have invalid property name ' + JSON.stringify(${key})` };
      body.push(...test.lines, ...this.failIf(ctx, `!${test.result}`, path, message, 'propertyNames'));
    }

    const patterns: string[] = [];
    for (const [pattern, subschema] of patternProperties) {
      const regex = this.regex(pattern);
      if (regex === undefined) continue;
      patterns.push(regex);
      const checks = this.schema(subschema, value, path.key(key), ctx);
      body.push(...block(`if (${regex}.test(${key})) {`, checks));
    }

    if (additional !== undefined && additional !== true) {
      const checks = additional === false
        ? this.fail(ctx, path.key(key), 'is not allowed (additional property)', 'additionalProperties')
        : this.schema(additional, value, path.key(key), ctx);
      const conditions = [...this.unknownKeyConditions(key, knownNames), ...patterns.map((regex) => `!${regex}.test(${key})`)];
      body.push(...(conditions.length === 0 ? checks : block(`if (${conditions.join(' && ')}) {`, checks)));
    }

    if (body.length === 0) return [];
    const binding = usesIdentifier(body, value) ? [`const ${value} = ${data}[${key}];`] : [];
    return block(`for (const ${key} in ${data}) {`, [`if (!core.hasOwn(${data}, ${key})) continue;`, ...binding, ...body]);
  }

  private unknownKeyConditions(key: string, knownNames: ReadonlyArray<string>): string[] {
    if (knownNames.length === 0) return [];
    if (knownNames.length <= INLINE_KEYS_LIMIT) return knownNames.map((name) => `${key} !== ${stringLiteral(name)}`);
    const set = this.options.constants.hoist('knownKeys', 'ReadonlySet<string>', `new Set<string>([${knownNames.map(stringLiteral).join(', ')}])`);
    return [`!${set}.has(${key})`];
  }

  private arrayKeywords(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const lines: string[] = [];
    const minItems = numberAt(schema, 'minItems');
    if (minItems !== undefined && minItems > 0) {
      lines.push(...this.failIf(ctx, `${data}.length < ${minItems}`, path, `must NOT have fewer than ${minItems} items`, 'minItems'));
    }
    const maxItems = numberAt(schema, 'maxItems');
    if (maxItems !== undefined) {
      lines.push(...this.failIf(ctx, `${data}.length > ${maxItems}`, path, `must NOT have more than ${maxItems} items`, 'maxItems'));
    }

    const rawItems = readOwn(schema, 'items');
    const prefixItems = schemaArrayAt(schema, 'prefixItems');
    let tuple: ReadonlyArray<JsonSchema> = [];
    let rest: JsonSchema | undefined;
    let restKeyword = 'items';
    if (prefixItems !== undefined) {
      tuple = prefixItems;
      rest = Array.isArray(rawItems) ? undefined : schemaAt(schema, 'items');
    } else if (Array.isArray(rawItems)) {
      tuple = schemaArrayAt(schema, 'items') ?? [];
      rest = schemaAt(schema, 'additionalItems');
      restKeyword = 'additionalItems';
    } else {
      rest = schemaAt(schema, 'items');
    }
    tuple.forEach((item, index) => {
      const value = ctx.locals.next('v');
      const checks = this.schema(item, value, path.child(String(index)), ctx);
      const binding = usesIdentifier(checks, value) ? [`const ${value} = ${data}[${index}];`] : [];
      lines.push(...block(`if (${data}.length > ${index}) {`, [...binding, ...checks]));
    });
    if (rest === false) {
      lines.push(...this.failIf(ctx, `${data}.length > ${tuple.length}`, path, `must NOT have more than ${tuple.length} items`, restKeyword));
    } else if (rest !== undefined && rest !== true) {
      const index = ctx.locals.next('i');
      const value = ctx.locals.next('v');
      const checks = this.schema(rest, value, path.index(index), ctx);
      const binding = usesIdentifier(checks, value) ? [`const ${value} = ${data}[${index}];`] : [];
      lines.push(...block(`for (let ${index} = ${tuple.length}; ${index} < ${data}.length; ${index}++) {`, [...binding, ...checks]));
    }

    if (booleanAt(schema, 'uniqueItems') === true) {
      if (ctx.mode === 'test') {
        lines.push(...this.failIf(ctx, `core.findDuplicateItems(${data}) !== undefined`, path, '', 'uniqueItems'));
      } else {
        const duplicate = ctx.locals.next('d');
        const message = { expression: `'must NOT have duplicate items (items ' + ${duplicate}[0] + ' and ' + ${duplicate}[1] + ' are identical)'` };
        lines.push(`const ${duplicate} = core.findDuplicateItems(${data});`, ...this.failIf(ctx, `${duplicate} !== undefined`, path, message, 'uniqueItems'));
      }
    }

    const contains = schemaAt(schema, 'contains');
    if (contains !== undefined) lines.push(...this.contains(schema, contains, data, path, ctx));
    return lines;
  }

  private contains(schema: JsonSchemaObject, contains: JsonSchema, data: string, path: PathExpr, ctx: Ctx): string[] {
    const minContains = numberAt(schema, 'minContains') ?? 1;
    const maxContains = numberAt(schema, 'maxContains');
    if (minContains === 0 && maxContains === undefined) return [];
    const count = ctx.locals.next('n');
    const index = ctx.locals.next('i');
    const item = ctx.locals.next('v');
    const test = this.subTest(contains, item, ctx);
    const body = [...test.lines, `if (${test.result}) ${count}++;`];
    const binding = usesIdentifier(body, item) ? [`const ${item} = ${data}[${index}];`] : [];
    const lines = [`let ${count} = 0;`, ...block(`for (let ${index} = 0; ${index} < ${data}.length; ${index}++) {`, [...binding, ...body])];
    if (minContains > 0) {
      lines.push(...this.failIf(ctx, `${count} < ${minContains}`, path, `must contain at least ${minContains} matching item${minContains === 1 ? '' : 's'}`, 'contains'));
    }
    if (maxContains !== undefined) {
      lines.push(...this.failIf(ctx, `${count} > ${maxContains}`, path, `must contain at most ${maxContains} matching item${maxContains === 1 ? '' : 's'}`, 'maxContains'));
    }
    return lines;
  }

  /** `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`: subschemas applied to the same value. */
  private inPlaceApplicators(schema: JsonSchemaObject, data: string, path: PathExpr, ctx: Ctx): string[] {
    const lines: string[] = [];
    for (const part of schemaArrayAt(schema, 'allOf') ?? []) lines.push(...this.inPlace(part, data, path, ctx));

    const anyOf = schemaArrayAt(schema, 'anyOf');
    if (anyOf !== undefined) {
      const matched = ctx.locals.next('m');
      lines.push(`let ${matched} = false;`);
      anyOf.forEach((option, index) => {
        const test = this.subTest(option, data, ctx);
        const code = [...test.lines, `if (${test.result}) ${matched} = true;`];
        lines.push(...(index === 0 ? code : block(`if (!${matched}) {`, code)));
      });
      lines.push(...this.failIf(ctx, `!${matched}`, path, 'must match a schema in anyOf', 'anyOf'));
    }

    const oneOf = schemaArrayAt(schema, 'oneOf');
    if (oneOf !== undefined) {
      const count = ctx.locals.next('n');
      lines.push(`let ${count} = 0;`);
      for (const option of oneOf) {
        const test = this.subTest(option, data, ctx);
        lines.push(...test.lines, `if (${test.result}) ${count}++;`);
      }
      lines.push(...this.failIf(ctx, `${count} !== 1`, path, 'must match exactly one schema in oneOf', 'oneOf'));
    }

    const not = schemaAt(schema, 'not');
    if (not !== undefined) {
      const test = this.subTest(not, data, ctx);
      lines.push(...test.lines, ...this.failIf(ctx, test.result, path, 'must NOT be valid against the "not" schema', 'not'));
    }

    const condition = schemaAt(schema, 'if');
    if (condition !== undefined) {
      const thenChecks = this.inPlace(schemaAt(schema, 'then') ?? true, data, path, ctx);
      const elseChecks = this.inPlace(schemaAt(schema, 'else') ?? true, data, path, ctx);
      if (thenChecks.length > 0 || elseChecks.length > 0) {
        const test = this.subTest(condition, data, ctx);
        lines.push(...test.lines);
        if (thenChecks.length === 0) lines.push(...block(`if (!${test.result}) {`, elseChecks));
        else if (elseChecks.length === 0) lines.push(...block(`if (${test.result}) {`, thenChecks));
        else lines.push(`if (${test.result}) {`, ...indent(thenChecks), '} else {', ...indent(elseChecks), '}');
      }
    }
    return lines;
  }

  /** A subschema applied to the same value, through a fresh `unknown` binding (see the file comment). */
  private inPlace(schema: JsonSchema, data: string, path: PathExpr, ctx: Ctx): string[] {
    if (typeof schema === 'boolean' || this.options.nameOf(schema) !== undefined) return this.schema(schema, data, path, ctx);
    const value = ctx.locals.next('v');
    const checks = this.schema(schema, value, path, ctx);
    if (checks.length === 0) return [];
    const binding = usesIdentifier(checks, value) ? [`const ${value}: unknown = ${data};`] : [];
    return ['{', ...indent([...binding, ...checks]), '}'];
  }

  /**
   * Whether `data` matches `schema`, without reporting: `result` is an
   * expression to read after running `lines`.
   */
  private subTest(schema: JsonSchema, data: string, ctx: Ctx): { lines: string[]; result: string } {
    if (schema === true) return { lines: [], result: 'true' };
    if (schema === false) return { lines: [], result: 'false' };
    const name = this.options.nameOf(schema);
    if (name !== undefined) return { lines: [], result: `test${name}(${data})` };
    const label = ctx.locals.next('b');
    const matched = ctx.locals.next('ok');
    const value = ctx.locals.next('v');
    const inner = this.schema(schema, value, PathExpr.root, { mode: 'test', failJump: `break ${label};`, locals: ctx.locals });
    if (!inner.some((line) => line.includes(`break ${label};`))) return { lines: [], result: 'true' };
    const binding = usesIdentifier(inner, value) ? [`const ${value}: unknown = ${data};`] : [];
    return {
      lines: [`let ${matched} = false;`, `${label}: {`, ...indent([...binding, ...inner, `${matched} = true;`]), '}'],
      result: matched,
    };
  }
}

function typeCondition(type: JsonType, data: string): string {
  switch (type) {
    case 'string':
      return `typeof ${data} === 'string'`;
    case 'number':
      return `typeof ${data} === 'number' && Number.isFinite(${data})`;
    case 'integer':
      return `typeof ${data} === 'number' && Number.isInteger(${data})`;
    case 'boolean':
      return `typeof ${data} === 'boolean'`;
    case 'null':
      return `${data} === null`;
    case 'array':
      return `core.isArray(${data})`;
    case 'object':
      return `core.isObject(${data})`;
  }
}

/** `a || b` with `&&` operands parenthesised. */
function either(conditions: ReadonlyArray<string>): string {
  if (conditions.length === 1) return conditions[0] ?? 'false';
  return conditions.map((c) => (c.includes('&&') ? `(${c})` : c)).join(' || ');
}

/** `a !== b` for one equality, `!call(x)` for a plain call, `!(...)` for anything else. */
function negate(condition: string): string {
  const equality = /^((?:typeof )?[\w$]+) === (.+)$/.exec(condition);
  if (equality !== null && !/\|\||&&/.test(condition)) return `${equality[1] ?? ''} !== ${equality[2] ?? ''}`;
  return /^[\w$.]+\([\w$.]*(?:, [\w$.]*)*\)$/.test(condition) || /^[\w$]+$/.test(condition) ? `!${condition}` : `!(${condition})`;
}

function sectionGuard(family: 'string' | 'number' | 'object' | 'array', data: string): string {
  switch (family) {
    case 'string':
      return `typeof ${data} === 'string'`;
    case 'number':
      return `typeof ${data} === 'number'`;
    case 'object':
      return `core.isObject(${data})`;
    case 'array':
      return `core.isArray(${data})`;
  }
}

function numberLiteral(value: number): string {
  return value < 0 ? `(${value})` : String(value);
}

/** A short JSON rendering of a value for messages, or `undefined` when too long. */
function shortJson(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && text.length <= 60 ? text : undefined;
  } catch {
    return undefined;
  }
}
