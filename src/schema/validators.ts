/**
 * The generated `validators.ts` module: for every named type `T`, a reporting
 * checker `checkT`, a fast yes/no `testT`, and the exported `validateT` /
 * `isT`. `validateT` runs the fast test first, so a valid value costs one
 * pass and one empty array.
 */
import { ModuleConstants, ValidatorEmitter } from './validator-code.js';
import { indent, usesIdentifier } from './code.js';
import type { NamedSchema, SchemaPlan } from './plan.js';

export function renderValidatorModule(plan: SchemaPlan): string {
  const constants = new ModuleConstants();
  const emitter = new ValidatorEmitter({ nameOf: plan.nameOf, patterns: plan.patterns, constants });
  const functions = plan.named.map((entry) => renderValidators(entry, emitter)).join('\n');
  const hoisted = constants.declarations.length > 0 ? `\n${constants.declarations.join('\n')}\n` : '';
  const body = `${hoisted}${functions}`;

  const imports = ["import type { ValidationIssue } from './core/validation.js';"];
  if (usesIdentifier([body], 'core')) imports.push("import * as core from './core/validation.js';");
  if (usesIdentifier([body], 'formats')) imports.push("import * as formats from './core/formats.js';");
  if (plan.named.length > 0) {
    imports.push(`import type { ${plan.named.map((entry) => entry.typeName).join(', ')} } from './types.js';`);
  }
  return `${imports.join('\n')}\n${body}${body === '' ? '' : '\n'}`;
}

function renderValidators(entry: NamedSchema, emitter: ValidatorEmitter): string {
  const name = entry.typeName;
  const check = emitter.collectBody(entry.schema);
  const test = emitter.testBody(entry.schema);
  const param = (lines: ReadonlyArray<string>, id: string): string => (usesIdentifier(lines, id) ? id : `_${id}`);
  const checkBody = check.length === 0 ? ['return true;'] : ['const start = issues.length;', ...check, 'return issues.length === start;'];
  return [
    '',
    `function check${name}(${param(check, 'value')}: unknown, ${param(check, 'path')}: string, ${param(checkBody, 'issues')}: ValidationIssue[]): boolean {`,
    ...indent(checkBody),
    '}',
    '',
    `function test${name}(${param(test, 'value')}: unknown): boolean {`,
    ...indent([...test, 'return true;']),
    '}',
    '',
    `/** Every way \`value\` fails to be a valid \`${name}\`, with JSON pointer paths; empty when it is valid. */`,
    `export function validate${name}(value: unknown): ValidationIssue[] {`,
    `  if (test${name}(value)) return [];`,
    '  const issues: ValidationIssue[] = [];',
    `  check${name}(value, '', issues);`,
    '  return core.distinctIssues(issues);',
    '}',
    '',
    `/** Whether \`value\` is a valid \`${name}\`. */`,
    `export function is${name}(value: unknown): value is ${name} {`,
    `  return test${name}(value);`,
    '}',
  ].join('\n');
}
