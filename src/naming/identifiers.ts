/**
 * Turning arbitrary spec strings into valid, readable TypeScript identifiers.
 * Pure functions; collision handling lives in `scope.ts`.
 */

const RESERVED_WORDS: ReadonlySet<string> = new Set([
  // ECMAScript reserved words and strict-mode reserved words
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface',
  'package', 'private', 'protected', 'public', 'await', 'arguments', 'eval',
  // TypeScript type names and contextual keywords that cannot name a type or would mislead
  'any', 'unknown', 'never', 'object', 'string', 'number', 'boolean', 'symbol', 'bigint',
  'undefined', 'type', 'namespace', 'module', 'declare', 'abstract', 'as', 'asserts', 'infer',
  'is', 'keyof', 'readonly', 'require', 'global', 'satisfies', 'accessor', 'out', 'constructor',
  // Globals that generated code relies on
  'Promise', 'Error', 'Object', 'Array', 'String', 'Number', 'Boolean', 'Symbol', 'Map', 'Set',
  'Date', 'RegExp', 'JSON', 'Math', 'Uint8Array', 'Record', 'Partial', 'Readonly', 'Required',
  'Pick', 'Omit', 'Exclude', 'Extract', 'NonNullable', 'ReturnType', 'Parameters', 'TextEncoder',
  'TextDecoder', 'AbortSignal', 'AbortController', 'globalThis', 'Buffer', 'NaN', 'Infinity',
]);

/** Names of `Object.prototype` members: fine as identifiers, dangerous as plain-object keys. */
export const OBJECT_PROTOTYPE_NAMES: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype),
);

export function isReservedWord(name: string): boolean {
  return RESERVED_WORDS.has(name);
}

/** Splits a spec string into words: on non-alphanumerics, camelCase humps and digit boundaries. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.normalize('NFKD').replace(/\p{M}/gu, '').split(/[^\p{L}\p{N}]+/u)) {
    if (chunk === '') continue;
    const parts = chunk.match(/\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[\p{L}\p{N}]+/gu);
    for (const part of parts ?? [chunk]) {
      // Keep only characters that are valid in an identifier after normalisation.
      const clean = part.replace(/[^\p{ID_Continue}]/gu, '');
      if (clean !== '') words.push(clean);
    }
  }
  return words;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function keepAcronymCase(word: string): string {
  // `HTTP` stays `Http`, `userID` becomes `UserId`: predictable and readable.
  return capitalise(word);
}

/** `user-created` -> `UserCreated`; never empty, never starts with a digit. */
export function toPascalCase(text: string, fallback = 'Unnamed'): string {
  const words = splitWords(text);
  let name = words.map(keepAcronymCase).join('');
  if (name === '') name = fallback;
  if (!/^\p{ID_Start}/u.test(name)) name = `_${name}`;
  return name;
}

/** `user-created` -> `userCreated`; never empty, never a reserved word, never starts with a digit. */
export function toCamelCase(text: string, fallback = 'unnamed'): string {
  const words = splitWords(text);
  let name = words.map((w, i) => (i === 0 ? w.toLowerCase() : keepAcronymCase(w))).join('');
  if (name === '') name = fallback;
  if (!/^\p{ID_Start}/u.test(name)) name = `_${name}`;
  if (isReservedWord(name)) name = `${name}_`;
  return name;
}

/** A PascalCase type name that is never reserved. */
export function toTypeName(text: string, fallback = 'Unnamed'): string {
  const name = toPascalCase(text, fallback);
  return isReservedWord(name) ? `${name}_` : name;
}

/** Whether `name` can be written as a bare identifier (property key, variable). */
export function isIdentifierName(name: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name);
}
