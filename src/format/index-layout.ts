/**
 * `index.ts` of a large document is mostly a few statement shapes repeated for every message and
 * operation (a 200-channel document: 0.57 MB, most of a second of prettier on a cold thread). The
 * built-in index template's output is cut at its top-level blank lines (`chunks.ts`), and
 * `layoutIndexPiece` prints each piece the way prettier 3 would with the pinned options
 * (`prettier.ts`), when every line of it is one of the shapes it knows; otherwise it returns
 * undefined and the piece goes to prettier.
 *
 * The shapes, each printed on one line when that fits the print width (100), else broken the way
 * prettier breaks it: comments (kept); `import`/`export ... from` lists (one name per line);
 * `export * from`; `export type A = B;`; interfaces of property and method signatures (a method
 * breaks to one parameter per line); functions made of `const` lines and `return { ... };` of
 * arrow-function properties (breaking after `=>`); `const a = { ... } satisfies T;` object
 * literals of identifiers, strings, numbers and arrays of them (broken outermost first, one
 * property per line); `export type A = { ... } | { ... };` unions of object types (on one line,
 * after `=`, or one member per line, each broken when it must be). Anything that would need
 * prettier to break deeper than that is declined. A test holds the result to prettier's own
 * output on every fixture, corpus and synthetic document, and on names long enough to break.
 */
import { fitting, INDENT, PRINT_WIDTH, requoteStrings, splitTopLevel } from './layout-text.js';

const IDENT = '[A-Za-z_$][\\w$]*';
const IDENTIFIER = new RegExp(`^${IDENT}$`);

interface Statement {
  readonly lines: ReadonlyArray<string>;
  /** Index of the first source line after the statement. */
  readonly next: number;
}

type Recogniser = (source: ReadonlyArray<string>, start: number) => Statement | undefined;

export function layoutIndexPiece(piece: string): string | undefined {
  if (/[\r\t]/.test(piece)) return undefined;
  const source = piece.split('\n');
  const out: string[] = [];
  let index = 0;
  while (index < source.length) {
    if ((source[index] ?? '').trim() === '') {
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      index += 1;
      continue;
    }
    const statement = recognise(source, index);
    if (statement === undefined) return undefined;
    out.push(...statement.lines);
    index = statement.next;
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

function recognise(source: ReadonlyArray<string>, start: number): Statement | undefined {
  for (const recogniser of RECOGNISERS) {
    const statement = recogniser(source, start);
    if (statement !== undefined) return statement;
  }
  return undefined;
}

/** A line of code as prettier prints it when it fits: strings requoted; undefined when it does not fit or has trailing blanks. */
function fittingLine(line: string): string | undefined {
  if (/\s$/.test(line)) return undefined;
  const quoted = requoteStrings(line);
  return quoted !== undefined && quoted.length <= PRINT_WIDTH ? quoted : undefined;
}

// ---------------------------------------------------------------------------
// Comments

/** `// ...`, `/** ... *\/` on one line, or a JSDoc block whose every line starts with `*` (prettier re-indents those, which here changes nothing). */
function comment(indent: string): Recogniser {
  return (source, start) => {
    const first = source[start] ?? '';
    if (/\s$/.test(first) || !first.startsWith(indent)) return undefined;
    const body = first.slice(indent.length);
    if (body.startsWith('//')) return { lines: [first], next: start + 1 };
    if (!body.startsWith('/*')) return undefined;
    if (body.endsWith('*/') && body.length >= 4) return body.indexOf('*/', 2) === body.length - 2 ? { lines: [first], next: start + 1 } : undefined;
    if (body !== '/**') return undefined;
    const lines = [first];
    for (let index = start + 1; index < source.length; index += 1) {
      const line = source[index] ?? '';
      if (line === `${indent} */`) return { lines: [...lines, line], next: index + 1 };
      if (/\s$/.test(line) || line.includes('*/') || !(line === `${indent} *` || line.startsWith(`${indent} * `))) return undefined;
      lines.push(line);
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------
// Module statements

/** `import { a, type B } from '...';` and `export [type] { ... } from '...';`: one name per line when too long (never for one name). */
const moduleList: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  const match = /^((?:import|export)(?: type)? )\{ (.*) \}( from '[^'\\]*';)$/.exec(line);
  if (match === null) return undefined;
  const names = splitTopLevel(match[2] ?? '');
  if (names === undefined || !names.every((name) => new RegExp(`^(?:type )?${IDENT}(?: as ${IDENT})?$`).test(name))) return undefined;
  if (line.length <= PRINT_WIDTH || names.length === 1) return { lines: [line], next: start + 1 };
  const lines = fitting([`${match[1] ?? ''}{`, ...names.map((name) => `${INDENT}${name},`), `}${match[3] ?? ''}`]);
  return lines === undefined ? undefined : { lines, next: start + 1 };
};

const exportAll: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  return /^export \* from '[^'\\]*';$/.test(line) ? { lines: [line], next: start + 1 } : undefined;
};

/** `export type A = B;` */
const typeAlias: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  return new RegExp(`^export type ${IDENT} = ${IDENT};$`).test(line) && line.length <= PRINT_WIDTH ? { lines: [line], next: start + 1 } : undefined;
};

// ---------------------------------------------------------------------------
// Interfaces

/** `export interface A {` with property and method signatures and their comments, then `}`. */
const interfaceBlock: Recogniser = (source, start) => {
  const head = source[start] ?? '';
  if (!new RegExp(`^export interface ${IDENT} \\{$`).test(head)) return undefined;
  const lines = [head];
  const memberComment = comment(INDENT);
  let index = start + 1;
  while (index < source.length) {
    const line = source[index] ?? '';
    if (line === '}') {
      while (lines[lines.length - 1] === '') lines.pop();
      return { lines: lines.length === 1 ? [`${head}}`] : [...lines, line], next: index + 1 };
    }
    if (line.trim() === '') {
      // Kept single between members; dropped right after `{`.
      if (lines.length > 1 && lines[lines.length - 1] !== '') lines.push('');
      index += 1;
      continue;
    }
    const commented = memberComment(source, index);
    if (commented !== undefined) {
      lines.push(...commented.lines);
      index = commented.next;
      continue;
    }
    const member = propertySignature(line) ?? methodSignature(line);
    if (member === undefined) return undefined;
    lines.push(...member);
    index += 1;
  }
  return undefined;
};

function propertySignature(line: string): string[] | undefined {
  if (!new RegExp(`^  (?:readonly )?${IDENT}\\??: [^{}()\`;]+;$`).test(line)) return undefined;
  const printed = fittingLine(line);
  return printed === undefined ? undefined : [printed];
}

/** `  name(a: A, b?: B): R;`: as it is when it fits, else one parameter per line. */
function methodSignature(line: string): string[] | undefined {
  const name = new RegExp(`^  (${IDENT})\\(`).exec(line);
  if (name === null) return undefined;
  const open = name[0].length - 1;
  const close = closingParen(line, open);
  if (close === undefined) return undefined;
  const rest = line.slice(close + 1);
  if (!/^: [^{}`;]+;$/.test(rest)) return undefined;
  const quoted = requoteStrings(line);
  if (quoted === undefined || quoted !== line || /\s$/.test(line) || line.includes('`')) return undefined;
  if (line.length <= PRINT_WIDTH) return [line];
  const parameters = splitTopLevel(line.slice(open + 1, close));
  // A lone parameter typed by an object literal is hugged by prettier, not broken like this.
  if (parameters === undefined || parameters.length === 0 || parameters.some((parameter) => parameter.includes('{'))) return undefined;
  return fitting([`  ${name[1] ?? ''}(`, ...parameters.map((parameter) => `    ${parameter},`), `  )${rest}`]);
}

/** The index of the `)` that closes the `(` at `open`, outside strings. */
function closingParen(text: string, open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index];
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, index + 1);
      if (end < 0 || text.slice(index + 1, end).includes('\\')) return undefined;
      index = end;
    } else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Functions

/** `export function f(...): T {`, `const` lines, `return {` arrow-function properties `};`, `}`. */
const functionBlock: Recogniser = (source, start) => {
  const head = source[start] ?? '';
  if (!new RegExp(`^export function ${IDENT}\\([^(){}]*\\): ${IDENT} \\{$`).test(head) || fittingLine(head) !== head) return undefined;
  const lines = [head];
  let index = start + 1;
  while (index < source.length) {
    const line = source[index] ?? '';
    if (line === '}') return { lines: [...lines, line], next: index + 1 };
    if (new RegExp(`^  const ${IDENT} = [^\`]+;$`).test(line)) {
      const printed = fittingLine(line);
      if (printed === undefined) return undefined;
      lines.push(printed);
      index += 1;
      continue;
    }
    if (line !== '  return {') return undefined;
    const properties: string[] = [];
    index += 1;
    for (; index < source.length && source[index] !== '  };'; index += 1) {
      const property = arrowProperty(source[index] ?? '');
      if (property === undefined) return undefined;
      properties.push(...property);
    }
    if (index >= source.length) return undefined;
    lines.push(...(properties.length === 0 ? ['  return {};'] : [line, ...properties, '  };']));
    index += 1;
  }
  return undefined;
};

/** `    key: (a, b) => body,`: as it is when it fits, else broken after `=>`. */
function arrowProperty(line: string): string[] | undefined {
  const match = new RegExp(`^    (${IDENT}: \\((?:${IDENT}(?:, ${IDENT})*)?\\) =>) ([^\`]+,)$`).exec(line);
  if (match === null) return undefined;
  const quoted = requoteStrings(line);
  if (quoted === undefined || quoted !== line || /\s$/.test(line)) return undefined;
  if (line.length <= PRINT_WIDTH) return [line];
  return fitting([`    ${match[1] ?? ''}`, `      ${match[2] ?? ''}`]);
}

// ---------------------------------------------------------------------------
// Object literals

type Value =
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, Value]> }
  | { readonly kind: 'array'; readonly items: ReadonlyArray<Value> }
  | { readonly kind: 'atom'; readonly text: string; readonly numeric: boolean };

/** `const a = { ... } satisfies T;` on one line. */
const descriptorConst: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  const match = new RegExp(`^(const ${IDENT} = )(\\{.*\\})( satisfies ${IDENT};)$`).exec(line);
  if (match === null) return undefined;
  const value = parseValue(match[2] ?? '');
  if (value === undefined) return undefined;
  const lines = layoutValue('', match[1] ?? '', value, match[3] ?? '');
  return lines === undefined ? undefined : { lines, next: start + 1 };
};

function flat(value: Value): string {
  if (value.kind === 'atom') return value.text;
  if (value.kind === 'array') return `[${value.items.map(flat).join(', ')}]`;
  return value.entries.length === 0 ? '{}' : `{ ${value.entries.map(([key, entry]) => `${key}: ${flat(entry)}`).join(', ')} }`;
}

/** Flat when it fits; else the object or array broken, one entry per line, each laid out the same way. */
function layoutValue(indent: string, prefix: string, value: Value, suffix: string): string[] | undefined {
  const line = `${indent}${prefix}${flat(value)}${suffix}`;
  if (line.length <= PRINT_WIDTH) return [line];
  const inner = `${indent}${INDENT}`;
  if (value.kind === 'object' && value.entries.length > 0) {
    const lines = [`${indent}${prefix}{`];
    for (const [key, entry] of value.entries) {
      const entryLines = layoutValue(inner, `${key}: `, entry, ',');
      if (entryLines === undefined) return undefined;
      lines.push(...entryLines);
    }
    return fitting([...lines, `${indent}}${suffix}`]);
  }
  if (value.kind === 'array' && value.items.length > 0) {
    return fitting([`${indent}${prefix}[`, ...value.items.map((item) => `${inner}${flat(item)},`), `${indent}]${suffix}`]);
  }
  // A long atom: prettier may move it after the key, which is not modelled here.
  return undefined;
}

/** Parses an object literal of identifier keys and identifier, string, number, array and object values; undefined for anything else. */
function parseValue(text: string): Value | undefined {
  let position = 0;
  const skipSpaces = (): void => {
    while (text[position] === ' ') position += 1;
  };
  const value = (): Value | undefined => {
    skipSpaces();
    const char = text[position];
    if (char === '{') {
      position += 1;
      const entries: Array<readonly [string, Value]> = [];
      for (;;) {
        skipSpaces();
        if (text[position] === '}') {
          position += 1;
          return { kind: 'object', entries };
        }
        const key = new RegExp(`^${IDENT}`).exec(text.slice(position))?.[0];
        if (key === undefined || text.slice(position + key.length, position + key.length + 2) !== ': ') return undefined;
        position += key.length + 2;
        const entry = value();
        if (entry === undefined) return undefined;
        entries.push([key, entry]);
        skipSpaces();
        if (text[position] === ',') position += 1;
        else if (text[position] !== '}') return undefined;
      }
    }
    if (char === '[') {
      position += 1;
      const items: Value[] = [];
      for (;;) {
        skipSpaces();
        if (text[position] === ']') {
          position += 1;
          // Arrays of numbers fill lines and arrays of objects or arrays may be forced to break: not modelled.
          return items.every((item) => item.kind === 'atom' && !item.numeric) ? { kind: 'array', items } : undefined;
        }
        const item = value();
        if (item === undefined) return undefined;
        items.push(item);
        skipSpaces();
        if (text[position] === ',') position += 1;
        else if (text[position] !== ']') return undefined;
      }
    }
    if (char === "'" || char === '"') {
      let end = position + 1;
      while (end < text.length && text[end] !== char) end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return undefined;
      const quoted = requoteStrings(text.slice(position, end + 1));
      position = end + 1;
      return quoted === undefined ? undefined : { kind: 'atom', text: quoted, numeric: false };
    }
    const word = /^(?:-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?(?![\w.$])|[A-Za-z_$][\w$]*)/.exec(text.slice(position))?.[0];
    if (word === undefined) return undefined;
    position += word.length;
    return { kind: 'atom', text: word, numeric: !IDENTIFIER.test(word) };
  };
  const parsed = value();
  skipSpaces();
  return parsed !== undefined && parsed.kind === 'object' && position === text.length ? parsed : undefined;
}

// ---------------------------------------------------------------------------
// Object types

/**
 * `export type A = { ... };` on one line, or `export type A = ` followed by `  | { ... }` lines.
 * One member: flat, else broken. More: on one line, else on the next line, else one member per
 * line after `| `, each flat or broken.
 */
const objectTypeAlias: Recogniser = (source, start) => {
  const head = new RegExp(`^(export type ${IDENT} =) ?(.*)$`).exec(source[start] ?? '');
  if (head === null) return undefined;
  const declared = head[1] ?? '';
  const texts: string[] = [];
  let next = start + 1;
  if ((head[2] ?? '') !== '') {
    texts.push(head[2] ?? '');
  } else {
    for (; next < source.length && (source[next] ?? '').startsWith('  | '); next += 1) texts.push((source[next] ?? '').slice(4));
  }
  const last = texts.length - 1;
  if (last < 0 || !(texts[last] ?? '').endsWith(';')) return undefined;
  texts[last] = (texts[last] ?? '').slice(0, -1);
  const members: string[][] = [];
  for (const text of texts) {
    const parsed = objectTypeMembers(text);
    if (parsed === undefined) return undefined;
    members.push(parsed);
  }
  const flats = members.map((list) => (list.length === 0 ? '{}' : `{ ${list.join('; ')} }`));
  const oneLine = `${declared} ${flats.join(' | ')};`;
  if (oneLine.length <= PRINT_WIDTH) return { lines: [oneLine], next };
  if (members.length === 1) {
    const list = members[0] ?? [];
    const lines = list.length === 0 ? undefined : fitting([`${declared} {`, ...list.map((member) => `${INDENT}${member};`), '};']);
    return lines === undefined ? undefined : { lines, next };
  }
  const afterOperator = `${INDENT}${flats.join(' | ')};`;
  if (afterOperator.length <= PRINT_WIDTH) return { lines: [declared, afterOperator], next };
  const lines = [declared];
  members.forEach((list, index) => {
    const end = index === members.length - 1 ? ';' : '';
    const flatMember = `${INDENT}| ${flats[index] ?? ''}${end}`;
    if (flatMember.length <= PRINT_WIDTH || list.length === 0) lines.push(flatMember);
    else lines.push(`${INDENT}| {`, ...list.map((member) => `      ${member};`), `    }${end}`);
  });
  const fitted = fitting(lines);
  return fitted === undefined ? undefined : { lines: fitted, next };
};

/** The members of `{ a: A; readonly b?: B; }` (types without braces, parentheses or template literals); undefined otherwise. */
function objectTypeMembers(text: string): string[] | undefined {
  const match = /^\{(.*)\}$/.exec(text);
  if (match === null) return undefined;
  const body = match[1] ?? '';
  // A `;` or brace inside a string literal type would split wrongly: such members are not handled.
  if (/'[^']*[;{}][^']*'|"[^"]*[;{}][^"]*"/.test(body)) return undefined;
  const members: string[] = [];
  for (const raw of body.split(';')) {
    const member = raw.trim();
    if (member === '') continue;
    if (!new RegExp(`^(?:readonly )?${IDENT}\\??: [^{}()\`]+$`).test(member) || /\s{2}/.test(member)) return undefined;
    const quoted = requoteStrings(member);
    if (quoted === undefined) return undefined;
    members.push(quoted);
  }
  return members;
}

/** Tried in order at the start of each statement. */
const RECOGNISERS: ReadonlyArray<Recogniser> = [comment(''), moduleList, exportAll, typeAlias, interfaceBlock, functionBlock, descriptorConst, objectTypeAlias];
