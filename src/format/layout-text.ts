/**
 * Text helpers of the layouts that print what prettier would print without running it
 * (`validators-layout.ts`, `template-layout.ts`): prettier's quotes for string literals, and
 * splitting a list at its top-level commas.
 */

export const PRINT_WIDTH = 100;
export const INDENT = '  ';

export function withoutStrings(line: string): string {
  return line.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

// ---------------------------------------------------------------------------
// Quotes

/**
 * The line with each string literal quoted as prettier quotes it; undefined when a literal does not
 * close, holds an escape other than those `stringLiteral` writes (prettier 3 keeps others as
 * written, which is not modelled), or the line holds a block comment.
 */
export function requoteStrings(line: string): string | undefined {
  let out = '';
  let index = 0;
  while (index < line.length) {
    const char = line[index] ?? '';
    if (char === '/' && line[index + 1] === '/') return out + line.slice(index);
    if (char === '/' && line[index + 1] === '*') return undefined;
    if (char !== "'" && char !== '"') {
      out += char;
      index += 1;
      continue;
    }
    let end = index + 1;
    while (end < line.length && line[end] !== char) end += line[end] === '\\' ? 2 : 1;
    if (end >= line.length) return undefined;
    const content = line.slice(index + 1, end);
    // Escapes taken pairwise: in `\\.` the backslash is escaped, the dot is not.
    if ([...content.matchAll(/\\(.)/gsu)].some((escape) => !"'\\nrtu".includes(escape[1] ?? ''))) return undefined;
    out += prettierString(content);
    index = end + 1;
  }
  return out;
}

/** prettier's choice of quotes for a string literal's raw text, and its escaping in them. */
function prettierString(rawContent: string): string {
  const singles = (rawContent.match(/'/g) ?? []).length;
  const doubles = (rawContent.match(/"/g) ?? []).length;
  const quote = singles > doubles ? '"' : "'";
  const other = quote === '"' ? "'" : '"';
  const content = rawContent.replace(/\\(.)|(["'])/gsu, (match: string, escaped: string | undefined, bare: string | undefined) => {
    if (escaped === other) return escaped;
    if (bare === quote) return `\\${bare}`;
    if (bare !== undefined) return bare;
    return escaped !== undefined && /^[^\n\r"'0-7\\bfnrt-vx\u2028\u2029]$/.test(escaped) ? escaped : match;
  });
  return `${quote}${content}${quote}`;
}

/** The lines, when every one fits the print width (prettier would break a longer one further). */
export function fitting(lines: string[]): string[] | undefined {
  return lines.every((line) => line.length <= PRINT_WIDTH) ? lines : undefined;
}

/** Splits at `, ` outside brackets and strings; undefined when they do not balance (or a comma is not followed by a space). */
export function splitTopLevel(text: string): string[] | undefined {
  return splitOutside(text, ', ', { angleBrackets: true, refused: ',' });
}

/**
 * Splits `text` at `separator` where it stands outside string literals and brackets (`<>` counted
 * as brackets only with `angleBrackets`; `=>` is never a closing one). Undefined when the brackets
 * do not balance, when `refused` appears outside them (other than as part of a separator), or when
 * a part is empty or has blanks at its ends.
 */
export function splitOutside(text: string, separator: string, options: { readonly angleBrackets?: boolean; readonly refused?: string } = {}): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === "'" || char === '"') {
      index = skipString(text, index);
      if (index < 0) return undefined;
    } else if (char === '(' || char === '[' || char === '{' || (options.angleBrackets === true && char === '<')) depth += 1;
    else if (char === ')' || char === ']' || char === '}' || (options.angleBrackets === true && char === '>' && text[index - 1] !== '=')) {
      depth -= 1;
      if (depth < 0) return undefined;
    } else if (depth === 0 && text.startsWith(separator, index)) {
      parts.push(text.slice(start, index));
      start = index + separator.length;
      index += separator.length - 1;
    } else if (depth === 0 && options.refused !== undefined && text.startsWith(options.refused, index)) return undefined;
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start));
  return parts.every((part) => part !== '' && part.trim() === part) ? parts : undefined;
}

/** The index of the closing quote of the string literal opening at `start`, or -1. */
export function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let index = start + 1; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === quote) return index;
  }
  return -1;
}

/** A line of code that is a comment, or the inside of a block comment. */
export function isCommentLine(line: string): boolean {
  const body = line.trimStart();
  return body.startsWith('//') || body.startsWith('/*') || body.startsWith('*');
}

/**
 * `import { a, type B } from '...';` or `export [type] { ... } from '...';` as prettier prints it:
 * as it is when it fits (or names one thing), else one name per line with a trailing comma;
 * undefined for every other line, or names other than `[type] a [as b]`.
 */
export function layoutModuleList(line: string): string[] | undefined {
  const match = /^((?:import|export)(?: type)? )\{ (.*) \}( from '[^'\\]*';)$/.exec(line);
  if (match === null) return undefined;
  const names = splitTopLevel(match[2] ?? '');
  if (names === undefined || !names.every((name) => /^(?:type )?[A-Za-z_$][\w$]*(?: as [A-Za-z_$][\w$]*)?$/.test(name))) return undefined;
  // prettier never breaks a list of one name.
  if (line.length <= PRINT_WIDTH || names.length === 1) return [line];
  return fitting([`${match[1] ?? ''}{`, ...names.map((name) => `${INDENT}${name},`), `}${match[3] ?? ''}`]);
}

/** The index of the `)` closing the `(` at `open`, outside strings. */
export function matchingParen(text: string, open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index];
    if (char === "'" || char === '"') {
      index = skipString(text, index);
      if (index < 0) return undefined;
    } else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}
