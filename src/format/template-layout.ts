/**
 * The built-in index, types, channels and servers templates write a few statement shapes, repeated
 * for every message, operation, schema and channel (a 200-channel document's index.ts: 0.57 MB,
 * most of a second of prettier on a cold thread). Their output is cut at its top-level blank lines
 * (`chunks.ts`), and `layoutTemplatePiece` prints each piece the way prettier 3 would with the
 * pinned options (`prettier.ts`) when every line of it is one of the shapes it knows; otherwise it
 * returns undefined and the piece goes to prettier.
 *
 * The shapes, each printed on one line when that fits the print width (100), else broken the way
 * prettier breaks it: comments (kept); `import`/`export ... from` lists (one name per line);
 * `export * from`, `export {};` and `export type A = B;`; interfaces and `type A = {` written over
 * several lines, with property, index and method signatures (a method breaks to one parameter per
 * line) and nested object types (prettier keeps all of these expanded; quoted names are unquoted
 * where they can be); functions made of `const` lines and `return { ... };` of arrow-function
 * properties (breaking after `=>`); object and array literals of identifiers, strings and numbers
 * (`const a = { ... } satisfies T;`, `export const a = f<T>({ ... });` with the object hugged,
 * `export const a: T = [` one element per line `];`), broken outermost first, arrays of several
 * many-property objects always; `export type A = { ... } | { ... };` unions of object types (on
 * one line, after `=`, or one member per line, each broken when it must be). Anything that would
 * need prettier to break deeper is declined. A test holds the result to prettier's own output on
 * every piece of every fixture, corpus, synthetic and long-name document.
 */import { fitting, INDENT, isCommentLine, layoutModuleList, matchingParen, PRINT_WIDTH, requoteStrings, splitOutside, splitTopLevel, withoutStrings } from './layout-text.js';

const IDENT = '[A-Za-z_$][\\w$]*';
const IDENTIFIER = new RegExp(`^${IDENT}$`);

interface Statement {
  readonly lines: ReadonlyArray<string>;
  /** Index of the first source line after the statement. */
  readonly next: number;
}

type Recogniser = (source: ReadonlyArray<string>, start: number) => Statement | undefined;

export function layoutTemplatePiece(piece: string): string | undefined {
  if (/[\r\t]/.test(piece)) return undefined;
  const source = piece.split('\n');
  // Code is measured in characters here; prettier measures display width (a CJK character counts
  // two columns, a combining mark none), and treats other Unicode spaces as blanks. It also rewrites
  // numbers not in their shortest form (`1e+21`, `1.50`, `.5`, `0xFF`) and drops parentheses around
  // some negative numbers (`[(-1)?]` -> `[-1?]`). Pieces with one of these go to prettier.
  if (source.some((line) => !isCommentLine(line) && (/[^\x20-\x7e]/.test(line) || NUMBER_REWRITTEN.test(withoutStrings(line))))) {
    return undefined;
  }
  const out: string[] = [];
  let index = 0;
  while (index < source.length) {
    if (isBlank(source[index] ?? '')) {
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

const NUMBER_REWRITTEN = /(?<![\w$])\d+(?:\.\d+)?[eE][+-]?\d|\(-\d|(?<![\w$.])\d*\.\d*0(?![\w$.])|(?<![\w$.\d])\.\d|(?<![\w$])0[xXbBoO]|\d\.(?![\d\w$])/;

/** A `,` outside brackets: members separated by commas, which prettier turns into `;`. */
function hasTopLevelComma(type: string): boolean {
  let depth = 0;
  for (const char of withoutStrings(type).replace(/=>/g, '')) {
    if (char === '<' || char === '[' || char === '(') depth += 1;
    else if (char === '>' || char === ']' || char === ')') depth -= 1;
    else if (char === ',' && depth === 0) return true;
  }
  return false;
}

/** An empty line, or one of spaces (the templates' blank lines); other Unicode spaces are not blank here. */
function isBlank(line: string): boolean {
  return /^ *$/.test(line);
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
  if (/\s$/.test(line) || !isCanonicalSpacing(line)) return undefined;
  const quoted = requoteStrings(line);
  return quoted !== undefined && quoted.length <= PRINT_WIDTH ? quoted : undefined;
}

/** Whether prettier keeps the text of this line as it is (it may still break it): quotes, spacing, no trailing blank. */
function keptAsWritten(line: string): boolean {
  return !/\s$/.test(line) && !line.includes('`') && requoteStrings(line) === line && isCanonicalSpacing(line);
}

/**
 * Whether code (outside its strings) is spaced as prettier prints it and its brackets balance:
 * single spaces, none inside brackets or before `,;)]>`, a space after each `,` and around each
 * `|` and `&`. Anything else (and text prettier would refuse) is left to prettier.
 */
function isCanonicalSpacing(line: string): boolean {
  // A block's opening brace may end the line (a function's head).
  const code = withoutStrings(line).replace(/^ +/, '').replace(/ \{$/, '');
  if (/ {2}| [,;)\]>]|[([<] |,(?! |$)|[^ |]\||\|[^ |]|[^ &]&|&[^ &]/.test(code.replace(/=>/g, '=\u0000'))) return false;
  let depth = 0;
  for (const char of code.replace(/=>/g, '')) {
    if (char === '(' || char === '[' || char === '<' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '>' || char === '}') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
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

/** `import { a, type B } from '...';` and `export [type] { ... } from '...';` (see `layoutModuleList`). */
const moduleList: Recogniser = (source, start) => {
  const lines = layoutModuleList(source[start] ?? '');
  return lines === undefined ? undefined : { lines, next: start + 1 };
};

const exportAll: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  return /^export \* from '[^'\\]*';$/.test(line) ? { lines: [line], next: start + 1 } : undefined;
};

/** `export type A = B;` for a type without braces or functions, when it fits; `export {};`. */
const typeAlias: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  if (line === 'export {};') return { lines: [line], next: start + 1 };
  if (!new RegExp(`^export type ${IDENT} = [^{}\`;=]+;$`).test(line)) return undefined;
  const printed = fittingLine(line) ?? longUnion(line);
  if (printed === undefined) return undefined;
  return { lines: typeof printed === 'string' ? [printed] : printed, next: start + 1 };
};

/**
 * `export type A = 'a' | 'b' | C;` too long for its line (an enum of many values): prettier puts
 * the union after `=` on a line of its own when it fits there, else one member per line (`  | m`).
 * Only unions of strings, numbers and names.
 */
function longUnion(line: string): string[] | undefined {
  if (/\s$/.test(line) || !isCanonicalSpacing(line)) return undefined;
  const quoted = requoteStrings(line);
  const match = quoted === undefined ? null : new RegExp(`^(export type ${IDENT} =) (.*);$`).exec(quoted);
  if (match === null) return undefined;
  const members = unionMembers(match[2] ?? '');
  if (members === undefined || members.length < 2) return undefined;
  const declared = match[1] ?? '';
  const afterEquals = `${INDENT}${members.join(' | ')};`;
  if (afterEquals.length <= PRINT_WIDTH) return [declared, afterEquals];
  return fitting([declared, ...members.map((member, index) => `${INDENT}| ${member}${index === members.length - 1 ? ';' : ''}`)]);
}

/** The members of `a | b | c` when each is a string literal, a number or a name; undefined otherwise. */
function unionMembers(text: string): string[] | undefined {
  const members = splitOutside(text, ' | ');
  const simple = new RegExp(`^(?:'(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"|-?\\d+(?:\\.\\d+)?|${IDENT})$`);
  return members?.every((member) => simple.test(member)) === true ? members : undefined;
}

// ---------------------------------------------------------------------------
// Interfaces and object types written over several lines (prettier keeps those expanded)

/** `export interface A {` ... `}` and `export type A = {` ... `};`, members as `typeBody` knows them. */
const typeBlock: Recogniser = (source, start) => {
  const head = source[start] ?? '';
  const isInterface = new RegExp(`^export interface ${IDENT}(?: extends [\\w$., <>]+)? \\{$`).test(head);
  if (!isInterface && !new RegExp(`^export type ${IDENT} = \\{$`).test(head)) return undefined;
  if (head.length > PRINT_WIDTH) return undefined;
  const closing = isInterface ? '}' : '};';
  const intersection = isInterface ? undefined : intersectionClosing(source, start);
  const body = typeBody(source, start + 1, INDENT, intersection === undefined ? [closing] : [closing, intersection]);
  if (body === undefined || onlyComments(body.lines)) return undefined;
  if (body.lines.length === 0) return body.closing === closing ? { lines: [`${head}${closing}`], next: body.next } : undefined;
  return { lines: [head, ...body.lines, body.closing], next: body.next };
};

/**
 * The closing line of `export type A = {` ... when it is `} & B;` or `} & (B | C);`: an object type
 * intersected with one name or one parenthesized union of names, which prettier keeps on that line
 * (with two or more after the object it breaks between them: not handled).
 */
function intersectionClosing(source: ReadonlyArray<string>, start: number): string | undefined {
  for (let index = start + 1; index < source.length; index += 1) {
    const line = source[index] ?? '';
    if (!line.startsWith('}')) continue;
    const simple = new RegExp(`^\\} & (?:${IDENT}|\\(${IDENT}(?: \\| ${IDENT})+\\));$`);
    return simple.test(line) && line.length <= PRINT_WIDTH ? line : undefined;
  }
  return undefined;
}

/**
 * The members of a type at `indent`, up to the first of the `closings` lines: comments, property
 * and index signatures on one line, method signatures (in a top-level body), and nested object
 * types written over several lines (`name: {` ... `};`). Blank lines are kept single, never first
 * or last.
 */
function typeBody(
  source: ReadonlyArray<string>,
  start: number,
  indent: string,
  closings: ReadonlyArray<string>,
): { lines: string[]; next: number; closing: string } | undefined {
  const lines: string[] = [];
  const memberComment = comment(indent);
  let index = start;
  while (index < source.length) {
    const line = source[index] ?? '';
    if (closings.includes(line)) {
      while (lines[lines.length - 1] === '') lines.pop();
      return { lines, next: index + 1, closing: line };
    }
    if (isBlank(line)) {
      if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
      index += 1;
      continue;
    }
    const part = memberComment(source, index) ?? nestedObjectType(source, index, indent);
    if (part !== undefined) {
      lines.push(...part.lines);
      index = part.next;
      continue;
    }
    const member = propertySignature(line, indent) ?? (indent === INDENT ? methodSignature(line) : undefined);
    if (member === undefined) return undefined;
    lines.push(...member);
    index += 1;
  }
  return undefined;
}

/**
 * A body of comments and no member: prettier may print a one-line comment between the braces on a
 * single line, which is not modelled.
 */
function onlyComments(lines: ReadonlyArray<string>): boolean {
  return lines.length > 0 && lines.every((line) => line === '' || isCommentLine(line));
}

/** `name?: {` at `indent`, its members, then `};` or `}[];`. */
function nestedObjectType(source: ReadonlyArray<string>, start: number, indent: string): Statement | undefined {
  const line = source[start] ?? '';
  if (!line.startsWith(indent) || !line.endsWith(': {') || line.length > PRINT_WIDTH) return undefined;
  const key = memberKey(line.slice(indent.length, -3));
  if (key === undefined) return undefined;
  const body = typeBody(source, start + 1, `${indent}${INDENT}`, [`${indent}};`, `${indent}}[];`]);
  // An empty nested type prints on one line: not handled here.
  if (body === undefined || body.lines.length === 0 || onlyComments(body.lines)) return undefined;
  return { lines: [`${indent}${key}: {`, ...body.lines, body.closing], next: body.next };
}

/**
 * A member name as prettier prints it (quoteProps "as-needed"): `readonly` kept, a quoted name
 * that is an identifier unquoted, others in prettier's quotes; undefined for names it may treat
 * otherwise (non-ASCII, escapes).
 */
function memberKey(text: string): string | undefined {
  const match = /^(readonly )?(?:([A-Za-z_$][\w$]*)|'([^'\\]*)'|"([^"\\]*)")(\?)?$/.exec(text);
  if (match === null) return undefined;
  const [, readonly = '', bare, single, double, optional = ''] = match;
  const quoted = single ?? double;
  if (quoted === undefined) return `${readonly}${bare ?? ''}${optional}`;
  if (/[^\x20-\x7e]/.test(quoted)) return undefined;
  const name = /^[A-Za-z_$][\w$]*$/.test(quoted) ? quoted : requoteStrings(single === undefined ? `"${quoted}"` : `'${quoted}'`);
  return name === undefined ? undefined : `${readonly}${name}${optional}`;
}

/** `name?: Type;` or `[key: string]: Type;` at `indent`, for types without braces or functions, when it fits. */
function propertySignature(line: string, indent: string): string[] | undefined {
  if (!line.startsWith(indent)) return undefined;
  const body = line.slice(indent.length);
  if (new RegExp(`^\\[${IDENT}: (?:string|number)\\]: [^{}\`;=]+;$`).test(body)) {
    const printed = fittingLine(line);
    return printed === undefined ? undefined : [printed];
  }
  const colon = memberColon(body);
  if (colon === undefined) return undefined;
  const key = memberKey(body.slice(0, colon));
  const type = body.slice(colon + 2);
  if (key === undefined || !/^[^{}`;=]+;$/.test(type) || hasTopLevelComma(type)) return undefined;
  const printed = fittingLine(`${indent}${key}: ${type}`);
  return printed === undefined ? undefined : [printed];
}

/** Where the `: ` after a member name is (a quoted name may itself hold `: `). */
function memberColon(body: string): number | undefined {
  const quote = /^(?:readonly )?(['"])/.exec(body);
  if (quote === null) {
    const at = body.indexOf(': ');
    return at < 0 ? undefined : at;
  }
  const mark = quote[1] ?? "'";
  const open = body.indexOf(mark);
  const close = body.indexOf(mark, open + 1);
  if (close < 0) return undefined;
  const at = body.indexOf(': ', close);
  return at === close + 1 || at === close + 2 ? at : undefined;
}

/** `  name(a: A, b?: B): R;`: as it is when it fits, else one parameter per line. */
function methodSignature(line: string): string[] | undefined {
  const name = new RegExp(`^  (${IDENT})\\(`).exec(line);
  if (name === null) return undefined;
  const open = name[0].length - 1;
  const close = matchingParen(line, open);
  if (close === undefined) return undefined;
  const rest = line.slice(close + 1);
  if (!/^: [^{}`;]+;$/.test(rest)) return undefined;
  if (!keptAsWritten(line)) return undefined;
  if (line.length <= PRINT_WIDTH) return [line];
  const parameters = splitTopLevel(line.slice(open + 1, close));
  // A lone parameter typed by an object literal is hugged by prettier, not broken like this.
  if (parameters === undefined || parameters.length === 0 || parameters.some((parameter) => parameter.includes('{'))) return undefined;
  const lines = [`  ${name[1] ?? ''}(`];
  for (const parameter of parameters) {
    const printed = `    ${parameter},`;
    lines.push(...(printed.length <= PRINT_WIDTH ? [printed] : (functionTypedParameter(parameter) ?? [printed])));
  }
  return fitting([...lines, `  )${rest}`]);
}

/**
 * `handler: (event: E) => R` too long for its line: prettier breaks the function type's own
 * parameter list (`handler: (`, `event: E,`, `) => R,`).
 */
function functionTypedParameter(parameter: string): string[] | undefined {
  const match = new RegExp(`^(${IDENT}\\??): \\((${IDENT}\\??: [^()]+)\\) => ([^()]+)$`).exec(parameter);
  // One parameter only: with two, prettier puts each on its own line.
  if (match === null || hasTopLevelComma(match[2] ?? '')) return undefined;
  return [`    ${match[1] ?? ''}: (`, `      ${match[2] ?? ''},`, `    ) => ${match[3] ?? ''},`];
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
  if (!keptAsWritten(line)) return undefined;
  if (line.length <= PRINT_WIDTH) return [line];
  const body = `      ${match[2] ?? ''}`;
  return fitting([`    ${match[1] ?? ''}`, ...(body.length <= PRINT_WIDTH ? [body] : (brokenCall(body) ?? [body]))]);
}

/** `      f<T>(a, b, c),` too long for its line: the arguments (names) one per line, as prettier breaks a call. */
function brokenCall(line: string): string[] | undefined {
  const match = new RegExp(`^( *)([\\w$.]+(?:<${IDENT}>)?)\\((${IDENT}(?:, ${IDENT})*)\\),$`).exec(line);
  if (match === null) return undefined;
  const indent = match[1] ?? '';
  return [`${indent}${match[2] ?? ''}(`, ...(match[3] ?? '').split(', ').map((argument) => `${indent}${INDENT}${argument},`), `${indent}),`];
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
  if (value === undefined || value.kind !== 'object') return undefined;
  const lines = layoutValue('', match[1] ?? '', value, match[3] ?? '');
  return lines === undefined ? undefined : { lines, next: start + 1 };
};

/**
 * `export const a = f<T>({ ... });` on one line. prettier's "fluid" assignment keeps the call after
 * `=` when the line up to the call's `(` fits, else breaks after `=` and prints the call indented.
 * The call itself: flat when it fits; else the object argument hugged (`f<T>({` ... `});`) when the
 * line up to its `{` fits; else the argument on lines of its own (`f<T>(` ... `);`).
 */
const callConst: Recogniser = (source, start) => {
  const line = source[start] ?? '';
  const match = new RegExp(`^(export const ${IDENT} =) (${IDENT}(?:<${IDENT}>)?\\()(\\{.*\\})\\);$`).exec(line);
  if (match === null) return undefined;
  const value = parseValue(match[3] ?? '');
  if (value === undefined || value.kind !== 'object') return undefined;
  const declared = match[1] ?? '';
  const call = match[2] ?? '';
  const staysAfterEquals = `${declared} ${call}`.length <= PRINT_WIDTH;
  const callPrinted = staysAfterEquals ? callLines('', `${declared} ${call}`, value) : callLines(INDENT, call, value);
  if (callPrinted === undefined) return undefined;
  return { lines: staysAfterEquals ? callPrinted : [declared, ...callPrinted], next: start + 1 };
};

/** `head` (ending in `(`) with one object argument, then `);`, at `indent`, laid out as in callConst. */
function callLines(indent: string, head: string, value: Value): string[] | undefined {
  const opened = `${indent}${head}`;
  if (`${opened}{`.length <= PRINT_WIDTH || `${opened}${flat(value)});`.length <= PRINT_WIDTH) return layoutValue(indent, head, value, ');');
  if (opened.length > PRINT_WIDTH) return undefined;
  const argument = layoutValue(`${indent}${INDENT}`, '', value, ',');
  return argument === undefined ? undefined : fitting([opened, ...argument, `${indent});`]);
}

/**
 * `export const a: T = [` with one element per line (each maybe after its JSDoc, indented or
 * not), then `];`: the array broken when anything must break it (a comment, two objects), else
 * flat when it fits.
 */
const arrayConst: Recogniser = (source, start) => {
  const head = new RegExp(`^(export const ${IDENT}(?:: [\\w$<>, ]+)? = )\\[$`).exec(source[start] ?? '');
  if (head === null) return undefined;
  const elements: Array<{ readonly doc: ReadonlyArray<string>; readonly value: Value }> = [];
  let index = start + 1;
  for (;;) {
    const line = source[index] ?? '';
    if (index >= source.length) return undefined;
    if (line === '];') break;
    const doc: string[] = [];
    if (line === '  /**') {
      // The template writes the JSDoc of an element unindented after its first line; prettier indents it.
      doc.push(line);
      for (index += 1; index < source.length && source[index] !== ' */'; index += 1) {
        const text = source[index] ?? '';
        if (/\s$/.test(text) || text.includes('*/') || !(text === ' *' || text.startsWith(' * '))) return undefined;
        doc.push(`  ${text}`);
      }
      if (index >= source.length) return undefined;
      doc.push('   */');
      index += 1;
    }
    const element = /^ *(\{.*\}),$/.exec(source[index] ?? '');
    const value = element === null ? undefined : parseValue(element[1] ?? '');
    if (value === undefined) return undefined;
    elements.push({ doc, value });
    index += 1;
  }
  const declared = head[1] ?? '';
  if (elements.length === 0) return { lines: [`${declared}[];`], next: index + 1 };
  const array: Value = { kind: 'array', items: elements.map((element) => element.value) };
  // Without comments the array is like every other; a comment breaks it.
  if (elements.every((element) => element.doc.length === 0)) {
    const lines = layoutValue('', declared, array, ';');
    return lines === undefined ? undefined : { lines, next: index + 1 };
  }
  const lines = [`${declared}[`];
  for (const element of elements) {
    const printed = layoutValue(INDENT, '', element.value, ',');
    if (printed === undefined) return undefined;
    lines.push(...element.doc, ...printed);
  }
  const fitted = fitting([...lines, '];']);
  return fitted === undefined ? undefined : { lines: fitted, next: index + 1 };
};

function flat(value: Value): string {
  if (value.kind === 'atom') return value.text;
  if (value.kind === 'array') return `[${value.items.map(flat).join(', ')}]`;
  return value.entries.length === 0 ? '{}' : `{ ${value.entries.map(([key, entry]) => `${key}: ${flat(entry)}`).join(', ')} }`;
}

/**
 * Flat when it fits and nothing inside must break; else the object or array broken, one entry per
 * line, each laid out the same way.
 */
function layoutValue(indent: string, prefix: string, value: Value, suffix: string): string[] | undefined {
  const line = `${indent}${prefix}${flat(value)}${suffix}`;
  if (line.length <= PRINT_WIDTH && !mustBreak(value)) return [line];
  const inner = `${indent}${INDENT}`;
  const entries: ReadonlyArray<readonly [string, Value]> | undefined =
    value.kind === 'object' ? value.entries.map(([key, entry]) => [`${key}: `, entry] as const) : value.kind === 'array' ? value.items.map((item) => ['', item] as const) : undefined;
  // A long atom: prettier may move it after the key, which is not modelled here.
  if (entries === undefined || entries.length === 0) return undefined;
  const [open, close] = value.kind === 'object' ? ['{', '}'] : ['[', ']'];
  const lines = [`${indent}${prefix}${open}`];
  for (const [entryPrefix, entry] of entries) {
    const entryLines = layoutValue(inner, entryPrefix, entry, ',');
    if (entryLines === undefined) return undefined;
    lines.push(...entryLines);
  }
  return fitting([...lines, `${indent}${close}${suffix}`]);
}

/** prettier always breaks an array of two or more objects that each have more than one property, and so everything around it. */
function mustBreak(value: Value): boolean {
  if (value.kind === 'atom') return false;
  if (value.kind === 'object') return value.entries.some(([, entry]) => mustBreak(entry));
  const objects = value.items.length > 1 && value.items.every((item) => item.kind === 'object' && item.entries.length > 1);
  return objects || value.items.some(mustBreak);
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
        const written = new RegExp(`^(?:${IDENT}|'[^'\\\\]*'|"[^"\\\\]*")`).exec(text.slice(position))?.[0];
        if (written === undefined || text.slice(position + written.length, position + written.length + 2) !== ': ') return undefined;
        const key = memberKey(written);
        if (key === undefined) return undefined;
        position += written.length + 2;
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
          // Arrays of numbers fill lines, and arrays of arrays or of objects mixed with other values break by rules not modelled here.
          const atoms = items.every((item) => item.kind === 'atom' && !item.numeric);
          return atoms || items.every((item) => item.kind === 'object') ? { kind: 'array', items } : undefined;
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
  return parsed !== undefined && parsed.kind !== 'atom' && position === text.length ? parsed : undefined;
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
    if (!new RegExp(`^(?:readonly )?${IDENT}\\??: [^{}()\`]+$`).test(member) || !isCanonicalSpacing(member) || hasTopLevelComma(member)) return undefined;
    const quoted = requoteStrings(member);
    if (quoted === undefined) return undefined;
    members.push(quoted);
  }
  return members;
}

/** Tried in order at the start of each statement. */
const RECOGNISERS: ReadonlyArray<Recogniser> = [comment(''), moduleList, exportAll, typeAlias, typeBlock, functionBlock, descriptorConst, callConst, arrayConst, objectTypeAlias];
