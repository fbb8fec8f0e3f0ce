/**
 * `layoutValidators` (the validators module printed without prettier) must give prettier's bytes
 * whenever it gives anything: on hand-written cases of every rule, on the validators of every
 * fixture and corpus document (`../shared/specs`, when present) and of the synthetic benchmark
 * documents. The property test (`test/property`) adds sampled schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/synthetic.js';
import { formatTypeScript } from '../../src/format/prettier.js';
import { layoutValidators } from '../../src/format/validators-layout.js';
import { TemplateRenderer } from '../../src/render/handlebars.js';
import { tempDir } from '../cache/helpers.js';
import { CORPUS, documentsUnder, renderedFile } from './documents.js';
import { PROJECT_ROOT } from '../support/generated.js';

/** The validators.ts the built-in template renders for a document, before formatting; undefined when it does not load. */
function renderedValidators(file: string, renderer: TemplateRenderer): Promise<string | undefined> {
  return renderedFile(file, renderer, 'validators');
}

async function expectPrettiersBytes(text: string, label: string): Promise<boolean> {
  const layout = layoutValidators(text);
  if (layout === undefined) return false;
  expect(layout, label).toBe(await formatTypeScript(text));
  return true;
}

describe('the validators layout', () => {
  it('prints each rule as prettier does, and declines what it does not know', async () => {
    const handled = [
      "const a = 'plain';\nconst b = 'it\\'s';\nconst c = 'say \"hi\"';\nconst d = 'both \\' and \"';\nconst e = 'two \\'\\' one \"';\n",
      "function f(v: number): void {\n  if (v < (-5)) return;\n  if (v >= (-2147483648)) return;\n}\n",
      "function checkAVeryLongTypeNameForTheSakeOfTheSignature(value: unknown, path: string, issues: unknown[]): boolean {\n  return true;\n}\n",
      "import type { AVeryLongTypeNameNumberOne, AVeryLongTypeNameNumberTwo, AVeryLongTypeNameNumberThree } from './types.js';\n",
      "function f(issues: { path: string; message: string; keyword: string }[], path: string): void {\n  core.addIssue(issues, path, 'must have required property \\'aVeryVeryLongPropertyNameIndeed\\'', 'required');\n}\n",
      "function f(issues: { path: string; message: string; keyword: string }[], path: string, v2: string): void {\n  if (!v2.startsWith('x')) core.addIssue(issues, path + '/sentAt', 'must match format \"date-time\"', 'format');\n  if (v2.length > 1) core.addIssue(issues, path + '/aLongerPropertyName/withMore/andMore/andMoreStill', 'must NOT have more than 64 characters', 'maxLength');\n}\n",
      "function f(value: Record<string, unknown>): boolean {\n  if (typeof value['aVeryLongPropertyNameToMakeTheLineLong'] !== 'string' && value['x'] !== 1) return false;\n  return true;\n}\n",
      '/** A comment longer than the print width is left as it is, whatever it says about `code` or it\'s quotes. */\nconst x = {};\n\n\n\nconst y = [];\n',
      // A string argument too long for its line stays whole on a line of its own.
      `function f(issues: { path: string; message: string; keyword: string }[], path: string): void {\n  core.addIssue(issues, path, 'must be one of "REVOKED_BY_APP", "REVOKED_BY_USER", "REVOKED_BY_ADMIN", "PASSWORD_CHANGE"', 'enum');\n  if (path === '') core.addIssue(issues, path, 'must be one of ${'"VALUE", '.repeat(12)}"LAST"', 'enum');\n  core.addIssue(issues, '/${'x'.repeat(95)}', 'm', '${'k'.repeat(95)}');\n  if (path === '') {\n    if (path === '') {\n      core.addIssue(issues, path + '/${'y'.repeat(60)}', 'must be string', 'type');\n    }\n  }\n}\n`,
      // A long `if` chain, with a parenthesized operand of the other operator.
      "function f(v: unknown): boolean {\n  if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' || v === null)) return false;\n  return true;\n}\n",
      // An enum's set of allowed values: one per line, numbers packed into lines.
      "const allowed1: ReadonlySet<unknown> = new Set<unknown>([1, 5, 15, 30, 60, 240, 1440, 10080, 21600, 43200, 86400]);\n",
      `const allowed2: ReadonlySet<unknown> = new Set<unknown>([${Array.from({ length: 40 }, (_, index) => (index % 3 === 0 ? -index * 1001 : index * 1000 + 0.5)).join(', ')}]);\n`,
      "const allowed3: ReadonlySet<unknown> = new Set<unknown>(['linear16', 'linear32', 'flac', 'alaw', 'mulaw', 'amr-nb', 'amr-wb', 'opus', 'ogg-opus']);\n",
      `const allowed4: ReadonlySet<unknown> = new Set<unknown>(["it's", 1, null, true, false, ${'"x", '.repeat(12)}2]);\n`,
      "const allowed5: ReadonlySet<unknown> = new Set<unknown>([1, 2]);\n",
      // An escaped backslash before another character is no unknown escape.
      `${String.raw`const pattern1 = new RegExp('^amq\\.gen\\-.+$', 'u');`}\n${String.raw`const pattern2 = new RegExp('^\\d+\\\\$', 'u');`}\n`,
    ];
    for (const text of handled) expect(await expectPrettiersBytes(text, text), text).toBe(true);
    const declined = [
      'const big = 1e+21;\n',
      'const t = `template`;\n',
      "const s = new Set<string>(['aaaaaaaaaaaa', 'bbbbbbbbbbbbbb', 'cccccccccccccc', 'dddddddddddddd', 'eeeeeeeeeeeeee', 'ffff']);\n",
      'const a = 1;\t\n',
      // A long value that is not a string literal (prettier breaks the expression): not modelled.
      `function f(issues: { path: string }[], path: string): void {\n  core.addIssue(issues, path + '/${'x'.repeat(95)}', 'm', 'k');\n}\n`,
      `${String.raw`const p = new RegExp('\\d\d', 'u');`}\n`,
    ];
    // A chain mixing || and && at its top level (prettier groups it otherwise): left to prettier.
    declined.push(`function f(v: unknown): boolean {\n  if (v === 'aaaaaaaaaaaaaaaaaaaaaaa' || (v === 'bbbbbbbbbbbbbbbbbbbbbbbbbbb') && v !== 'ccccccccccccccccccccccccccccccccc') return false;\n  return true;\n}\n`);
    for (const text of declined) expect(layoutValidators(text), text).toBeUndefined();
  });

  it('breaks a long `if` chain of || or && (maybe negated, before a statement or a block) as prettier does, around the width boundary', async () => {
    const signature = 'function f(v: unknown, issues: { path: string; message: string; keyword: string }[], path: string): boolean {';
    const declined: string[] = [];
    let compared = 0;
    // `either` in the validator emitter writes a parenthesized chain of the other operator as an operand.
    const nested = { '||': "(typeof v === 'number' && Number.isFinite(v))", '&&': "(v === null || typeof v === 'string')" } as const;
    for (const depth of [1, 2, 3, 4, 5]) {
      for (const operator of ['||', '&&'] as const) {
        for (const negated of [false, true]) {
          for (const shape of ['plain', 'nested first', 'nested last'] as const) {
            for (let count = 2; count <= 8; count += 1) {
              for (let width = 1; width <= 40; width += 1) {
                const comparison = operator === '||' ? '===' : '!==';
                const operands = Array.from({ length: count }, (_, index) => `v ${comparison} '${String(index).padStart(width, 'x')}'`);
                if (shape === 'nested first') operands[0] = nested[operator];
                if (shape === 'nested last') operands[count - 1] = nested[operator];
                const chain = operands.join(` ${operator} `);
                const indent = '  '.repeat(depth);
                const head = `${indent}if (${negated ? `!(${chain})` : chain})`;
                const opened = Array.from({ length: depth - 1 }, (_, level) => `${'  '.repeat(level + 1)}{`);
                const closed = Array.from({ length: depth - 1 }, (_, level) => `${'  '.repeat(depth - 1 - level)}}`);
                for (const statement of ['return false;', `core.addIssue(issues, path + '/x', 'must be one of ${count} values', 'enum');`, '{']) {
                  // Only around the boundary: the line just over the width, the chain about its line's width.
                  if (`${head} ${statement}`.length <= 100 || head.length > 104 || indent.length + 2 + chain.length > 106) continue;
                  const block = statement === '{' ? [`${indent}  return false;`, `${indent}}`] : [];
                  const text = [signature, ...opened, `${head} ${statement}`, ...block, ...closed, '  return true;', '}', ''].join('\n');
                  compared += 1;
                  if (!(await expectPrettiersBytes(text, text))) declined.push(`${depth} ${operator} ${negated} ${shape} ${count}x${width} ${statement}`);
                }
              }
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(declined).toEqual([]);
  });

  it('breaks a long core.addIssue call (alone or after an `if`) as prettier does, around the width boundary', async () => {
    const signature = 'function f(v: unknown, issues: { path: string; message: string; keyword: string }[], path: string, i9: number): boolean {';
    let compared = 0;
    let declined = 0;
    for (const depth of [1, 3, 6]) {
      for (const guarded of [false, true]) {
        for (const where of ['path', "path + '/aPropertyName'", "path + '/items/' + i9", "path + '/aMuchLongerPropertyNameThanUsual/withMore/andMoreStill/andStillMore'"]) {
          for (let width = 1; width <= 90; width += 1) {
            const indent = '  '.repeat(depth);
            const call = `core.addIssue(issues, ${where}, 'must be ${'x'.repeat(width)}', 'maxLength');`;
            const line = `${indent}${guarded ? "if (typeof v !== 'string') " : ''}${call}`;
            // Only around the boundary: lines just over the width, and some far over it.
            if (line.length <= 100 || (line.length > 130 && width % 10 !== 0)) continue;
            const opened = Array.from({ length: depth - 1 }, (_, level) => `${'  '.repeat(level + 1)}{`);
            const closed = Array.from({ length: depth - 1 }, (_, level) => `${'  '.repeat(depth - 1 - level)}}`);
            const text = [signature, ...opened, line, ...closed, '  return true;', '}', ''].join('\n');
            compared += 1;
            if (!(await expectPrettiersBytes(text, text))) declined += 1;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
    // Every path expression here fits its line: nothing is left to prettier.
    expect(declined).toBe(0);
  });

  it("gives prettier's bytes for the validators of every fixture, corpus and synthetic document", { timeout: 600_000 }, async () => {
    const renderer = await TemplateRenderer.create(undefined);
    const folder = await tempDir('validators-layout');
    const synthetic = [1, 50].map((channels) => {
      const file = path.join(folder, `synthetic-${channels}.yaml`);
      fs.writeFileSync(file, syntheticDocument(channels));
      return file;
    });
    const documents = [...documentsUnder(path.join(PROJECT_ROOT, 'fixtures')), ...documentsUnder(CORPUS), ...synthetic];
    let laidOut = 0;
    let rendered = 0;
    for (const file of documents) {
      const text = await renderedValidators(file, renderer).catch(() => undefined);
      if (text === undefined) continue;
      rendered += 1;
      if (await expectPrettiersBytes(text, file)) laidOut += 1;
    }
    for (const file of synthetic) expect(layoutValidators((await renderedValidators(file, renderer)) ?? ''), file).toBeDefined();
    // Most documents take the fast path; were it to stop applying, this test would check nothing.
    expect(laidOut).toBeGreaterThan(rendered / 2);
  });
});
