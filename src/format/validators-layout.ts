/**
 * `validators.ts` is the validator emitter's own code (`src/schema/validator-code.ts`): already
 * indented as prettier prints it, one statement per line. On large documents it is most of
 * prettier's work (a 200-channel document: 1.3 MB, about 2.5 s), so it gets a cheaper path:
 * `layoutValidators` prints it the way prettier would, for the few line shapes the emitter writes,
 * and returns undefined for anything else; the file then goes to prettier like every other.
 *
 * What it does, exactly as prettier 3 with the pinned options (`prettier.ts`): string quotes
 * (single unless the text holds more single quotes than double), and lines over 100 columns
 * broken for five shapes: `core.addIssue(...);` (one argument per line, a long string left whole),
 * `if (test) statement;` (the statement on its own line, then broken as above), a function
 * signature (one parameter per line), a named import (one name per line) and an enum's set of
 * allowed values (one per line, numbers packed). Comments are left as they are; blank lines are
 * kept single. A test holds the result to prettier's own output on every fixture, every corpus
 * document, the synthetic benchmark documents and sampled schemas.
 */

import { fitting, INDENT, isCommentLine, layoutModuleList, matchingParen, PRINT_WIDTH, requoteStrings, splitOutside, splitTopLevel, withoutStrings } from './layout-text.js';

export function layoutValidators(text: string): string | undefined {
  if (text.includes('\r')) return undefined;
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    if (/[ \t]$/.test(raw) || raw.includes('\t')) return undefined;
    if (raw === '') {
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      continue;
    }
    if (isCommentLine(raw)) {
      out.push(raw);
      continue;
    }
    // Template literals and exponent notation are printed differently by prettier: not handled here;
    // nor non-ASCII code, whose display width prettier measures differently from its length.
    if (raw.includes('`') || /[^\x20-\x7e]/.test(raw)) return undefined;
    const quoted = requoteStrings(raw);
    if (quoted === undefined || hasExponent(quoted)) return undefined;
    const line = withoutParenthesizedNegatives(quoted);
    if (line.length <= PRINT_WIDTH) {
      out.push(line);
      continue;
    }
    const broken = breakLine(line);
    if (broken === undefined) return undefined;
    out.push(...broken);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}


/** A number written with an exponent (`1e+21`), outside string literals. */
function hasExponent(line: string): boolean {
  return /(?<![\w$])\d+(\.\d+)?[eE][+-]?\d/.test(withoutStrings(line));
}

/** `v < (-5)` -> `v < -5`: prettier drops the parentheses around a negative number compared. */
function withoutParenthesizedNegatives(line: string): string {
  if (!line.includes('(-')) return line;
  let out = '';
  let index = 0;
  for (const match of line.matchAll(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?<=(?:[<>]=?|[!=]==) )\((-\d+(?:\.\d+)?)\)(?=[ );])/g)) {
    const start = match.index ?? 0;
    out += line.slice(index, start) + (match[1] ?? match[0]);
    index = start + match[0].length;
  }
  return out + line.slice(index);
}

// ---------------------------------------------------------------------------
// Long lines

function breakLine(line: string): string[] | undefined {
  const indent = /^ */.exec(line)?.[0] ?? '';
  const body = line.slice(indent.length);
  return breakAddIssue(indent, body) ?? breakIf(indent, body) ?? breakSignature(indent, body) ?? (indent === '' ? (breakSet(body) ?? layoutModuleList(body)) : undefined);
}

/**
 * `const allowed1: ReadonlySet<unknown> = new Set<unknown>([a, b]);` -> the array hugged by the
 * call, its elements one per line; numbers only (two or more) are packed into as few lines as fit,
 * as prettier prints such arrays.
 */
function breakSet(body: string): string[] | undefined {
  const match = /^(const [\w$]+: ReadonlySet<unknown> = new Set<unknown>\(\[)(.*)\]\);$/.exec(body);
  if (match === null) return undefined;
  const elements = splitTopLevel(match[2] ?? '');
  if (elements === undefined || elements.length === 0) return undefined;
  const head = match[1] ?? '';
  if (!elements.every((element) => /^-?\d+(?:\.\d+)?$/.test(element)) || elements.length < 2) {
    return fitting([head, ...elements.map((element) => `${INDENT}${element},`), ']);']);
  }
  const lines: string[] = [];
  let current = '';
  for (const element of elements) {
    const item = `${element},`;
    if (current !== '' && `${current} ${item}`.length <= PRINT_WIDTH) current = `${current} ${item}`;
    else {
      if (current !== '') lines.push(current);
      current = `${INDENT}${item}`;
    }
  }
  lines.push(current);
  return fitting([head, ...lines, ']);']);
}

/**
 * `core.addIssue(issues, path, message, keyword);` -> one argument per line, with a trailing comma,
 * as prettier prints a call that does not fit. A string literal stays whole on its line however
 * long (prettier cannot break it); every other argument must fit, or prettier would break it further.
 */
function breakAddIssue(indent: string, body: string): string[] | undefined {
  const match = /^core\.addIssue\((.*)\);$/.exec(body);
  if (match === null) return undefined;
  const args = splitTopLevel(match[1] ?? '');
  if (args === undefined || args.length === 0) return undefined;
  const inner = `${indent}${INDENT}`;
  const lines = args.map((arg) => `${inner}${arg},`);
  const head = `${indent}core.addIssue(`;
  const tooLong = lines.some((line) => line.length > PRINT_WIDTH && !/^ *(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"),$/.test(line));
  return tooLong || head.length > PRINT_WIDTH ? undefined : [head, ...lines, `${indent});`];
}

/** `if (test) statement;` -> the statement on the next line, broken further when it must be. */
function breakIf(indent: string, body: string): string[] | undefined {
  if (!body.startsWith('if (')) return undefined;
  const close = matchingParen(body, 3);
  if (close === undefined || body[close + 1] !== ' ') return undefined;
  const head = `${indent}${body.slice(0, close + 1)}`;
  const statement = body.slice(close + 2);
  if (statement === '{') {
    // A block: the condition broken as below, `{` after its closing parenthesis.
    // Here the line does not fit: prettier breaks the condition even when only ` {` is over.
    const heads = breakCondition(indent, body.slice(4, close));
    return heads === undefined ? undefined : fitting([...heads.slice(0, -1), `${heads.at(-1) ?? ''} {`]);
  }
  if (statement.endsWith('{') || !statement.endsWith(';') || statement.startsWith('if ')) return undefined;
  const heads = head.length <= PRINT_WIDTH ? [head] : breakCondition(indent, body.slice(4, close));
  if (heads === undefined) return undefined;
  const inner = `${indent}${INDENT}`;
  if (inner.length + statement.length <= PRINT_WIDTH) return [...heads, `${inner}${statement}`];
  const reported = breakAddIssue(inner, statement);
  return reported === undefined ? undefined : [...heads, ...reported];
}

/**
 * An `if` condition too long for its line that is one chain of `||` or of `&&`, maybe negated as
 * `!(...)`: prettier opens `if (` or `if (!(`, puts each operand on its own line with its operator
 * at the end (a negated chain of two plain operands that fits its line stays whole), and closes
 * `)` or `))`.
 */
function breakCondition(indent: string, condition: string): string[] | undefined {
  const negated = condition.startsWith('!(') && matchingParen(condition, 1) === condition.length - 1;
  const chain = negated ? condition.slice(2, -1) : condition;
  for (const operator of ['||', '&&'] as const) {
    const operands = splitChain(chain, operator);
    if (operands === undefined || operands.length < 2) continue;
    const inner = `${indent}${INDENT}`;
    // A negated chain of two plain operands stays on one line when it fits there (as measured
    // against prettier; longer chains, chains with a parenthesized chain among their operands, and
    // chains directly in the `if` break with it).
    const lines = negated && operands.length === 2 && !operands.some(isParenthesizedChain) && `${inner}${chain}`.length <= PRINT_WIDTH
      ? [`${inner}${chain}`]
      : operands.map((operand, index) => `${inner}${operand}${index < operands.length - 1 ? ` ${operator}` : ''}`);
    return fitting([`${indent}if (${negated ? '!(' : ''}`, ...lines, `${indent})${negated ? ')' : ''}`]);
  }
  return undefined;
}

/** `(a && b)` or `(a || b)`: an operand that is itself a logical chain. */
function isParenthesizedChain(operand: string): boolean {
  if (!operand.startsWith('(') || matchingParen(operand, 0) !== operand.length - 1) return false;
  const inside = operand.slice(1, -1);
  return (splitChain(inside, '&&')?.length ?? 0) > 1 || (splitChain(inside, '||')?.length ?? 0) > 1;
}

/**
 * The operands of `a OP b OP c` at the top level (outside strings and brackets); undefined when
 * the other logical operator also appears there (prettier groups mixed chains differently) or the
 * brackets do not balance.
 */
function splitChain(text: string, operator: '||' | '&&'): string[] | undefined {
  return splitOutside(text, ` ${operator} `, { refused: operator === '||' ? ' && ' : ' || ' });
}

/** `function name(a: A, b: B): R {` -> one parameter per line, with a trailing comma. */
function breakSignature(indent: string, body: string): string[] | undefined {
  const match = /^((?:export )?function [\w$]+)\((.*)\)(: [^()]+)? \{$/.exec(body);
  if (match === null) return undefined;
  const parameters = splitTopLevel(match[2] ?? '');
  if (parameters === undefined || parameters.length === 0) return undefined;
  return fitting([`${indent}${match[1] ?? ''}(`, ...parameters.map((parameter) => `${indent}${INDENT}${parameter},`), `${indent})${match[3] ?? ''} {`]);
}
