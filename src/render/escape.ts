/**
 * Escaping of spec strings for the place they land in generated code. Every
 * string that comes from a document goes through one of these; Handlebars'
 * HTML escaping is switched off because it is wrong for code.
 */
import { isIdentifierName } from '../naming/identifiers.js';

/**
 * A single-quoted TypeScript string literal holding exactly `text`. Escapes
 * quotes, backslashes, every control character, line and paragraph separators,
 * and lone surrogates, so the literal is one line and cannot end early.
 */
export function stringLiteral(text: string): string {
  let out = "'";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === "'") out += "\\'";
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}'`;
}

/** A JSON value as a TypeScript expression (for examples, defaults, enum and const values, bindings). */
export function jsonLiteral(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    // A `__proto__:` key in an object literal sets the prototype; the computed form makes an own property.
    const key = (k: string): string => (k === '__proto__' ? "['__proto__']" : propertyKey(k));
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${jsonLiteral(v)}`).join(', ')} }`;
  }
  return 'null';
}

/** A property key in an object literal or type: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return isIdentifierName(name) && name !== '__proto__' ? name : stringLiteral(name);
}

/** Property access: `.name` or `['weird key']`. */
export function propertyAccess(name: string): string {
  return isIdentifierName(name) ? `.${name}` : `[${stringLiteral(name)}]`;
}

/**
 * Text safe inside a `/** ... *\/` comment: no comment terminator, no line
 * breaks other than `\n`, no characters that some tools treat as line breaks.
 */
export function commentText(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    .replace(/\*\//g, '*\\/')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\p{Surrogate}/gu, (s) => `\\u${s.charCodeAt(0).toString(16)}`);
}

/** A JSDoc block from lines of text (already split into paragraphs); empty when there is nothing to say. */
export function jsDoc(lines: ReadonlyArray<string | undefined>, indent = ''): string {
  const body = lines
    .filter((line): line is string => typeof line === 'string' && line.trim() !== '')
    .flatMap((line) => commentText(line.trim()).split('\n'))
    .map((line) => line.replace(/\s+$/, ''));
  if (body.length === 0) return '';
  return `${indent}/**\n${body.map((line) => `${indent} *${line === '' ? '' : ` ${line}`}`).join('\n')}\n${indent} */\n`;
}

/** A regular-expression constructor call for a spec pattern (the pattern is a string literal, never a regex literal). */
export function regexConstructor(pattern: string, flags = 'u'): string {
  return `new RegExp(${stringLiteral(pattern)}, ${stringLiteral(flags)})`;
}

/** Escapes a literal string for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
