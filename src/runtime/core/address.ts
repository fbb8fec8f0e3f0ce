/**
 * Channel address helpers for generated code: fill `{parameter}` slots with
 * safely encoded values, describe a template as an AddressPattern for
 * subscribing, and parse concrete addresses back into parameter values.
 *
 * Parameter values are percent-encoded so that no value can ever act as a
 * separator (`/`, `.`) or wildcard (`*`, `>`, `+`, `#`) on every broker.
 */
import type { AddressPart, AddressPattern } from './transport.js';

export type ParameterValue = string | number | boolean;

/** Parameter values by name, as generated code passes them. */
export type ParameterValues = Readonly<Record<string, ParameterValue>>;

/**
 * Percent-encodes every character except `A-Z a-z 0-9 - _ ~` (UTF-8 bytes,
 * upper-case hex). Numbers and booleans are written with `String()`.
 */
/** Values made only of these characters are their own encoding. */
const UNRESERVED = /^[A-Za-z0-9_~-]+$/;

export function encodeParameterValue(value: ParameterValue): string {
  const text = parameterText(value);
  if (UNRESERVED.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    throw new TypeError(`Parameter value ${JSON.stringify(text)} contains an unpaired surrogate and cannot be encoded`);
  }
  // encodeURIComponent leaves these unescaped; `.` and `*` matter to brokers.
  return encoded.replace(/[!'()*.]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Decodes a parameter value taken from an address. Characters that are not
 * percent-escapes pass through unchanged, so addresses written by other
 * publishers decode too. Throws on a malformed escape such as `%` or `%G1`.
 */
export function decodeParameterValue(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error(`Malformed percent-encoding in parameter value ${JSON.stringify(text)}`);
  }
}

/**
 * Splits an address template into literal and `{parameter}` parts. Throws on
 * an empty `{}`, an unclosed `{`, a stray `}`, and two parameters with no
 * literal between them (`{a}{b}` cannot be split again once filled).
 */
export function parseAddressTemplate(template: string): AddressPattern {
  // Parsed once per template: sending parses the operation's template on every message.
  const known = parsedTemplates.get(template);
  if (known !== undefined) return known;
  const parsed = parseTemplate(template);
  if (parsedTemplates.size >= MAX_REMEMBERED) parsedTemplates.clear();
  parsedTemplates.set(template, parsed);
  return parsed;
}

const MAX_REMEMBERED = 4096;
const parsedTemplates = new Map<string, AddressPattern>();

function parseTemplate(template: string): AddressPattern {
  const parts: AddressPart[] = [];
  let literal = '';
  let index = 0;
  while (index < template.length) {
    const char = template.charAt(index);
    if (char === '}') throw invalidTemplate(template, `stray "}" at position ${index}`);
    if (char !== '{') {
      literal += char;
      index += 1;
      continue;
    }
    const close = template.indexOf('}', index + 1);
    const nextOpen = template.indexOf('{', index + 1);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
      throw invalidTemplate(template, `unclosed "{" at position ${index}`);
    }
    const name = template.slice(index + 1, close);
    if (name === '') throw invalidTemplate(template, `empty parameter name "{}" at position ${index}`);
    if (literal !== '') {
      parts.push({ kind: 'literal', text: literal });
      literal = '';
    } else if (parts.at(-1)?.kind === 'parameter') {
      throw invalidTemplate(template, `parameter "{${name}}" directly follows another parameter; put a literal between them`);
    }
    parts.push({ kind: 'parameter', name });
    index = close + 1;
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  return { template, parts };
}

/**
 * Fills every `{name}` slot of `template` with the encoded value of
 * `params[name]`. Throws when a parameter is missing or is the empty string
 * (an empty slot would produce an address that matches no subscription).
 * Extra entries in `params` are ignored.
 */
export function buildAddress(template: string, params: ParameterValues): string {
  let address = '';
  for (const part of parseAddressTemplate(template).parts) {
    address += part.kind === 'literal' ? part.text : encodedSlotValue(template, part.name, params);
  }
  return address;
}

/**
 * The pattern to subscribe to `template`, with the parameters in `fixedParams`
 * fixed to their encoded value and the others left as wildcards. Entries whose
 * value is `undefined` are treated as absent; a name the template does not
 * contain throws, since silently subscribing to every value would be a bug.
 */
export function patternFor(
  template: string,
  fixedParams: Readonly<Record<string, ParameterValue | undefined>> | undefined,
): AddressPattern {
  const parsed = parseAddressTemplate(template);
  if (fixedParams === undefined) return parsed;
  const names = new Set(parsed.parts.flatMap((part) => (part.kind === 'parameter' ? [part.name] : [])));
  for (const name of Object.keys(fixedParams)) {
    if (!names.has(name) && fixedParams[name] !== undefined) {
      throw new Error(`Unknown parameter "${name}" for address "${template}"`);
    }
  }
  const parts = parsed.parts.map((part): AddressPart => {
    if (part.kind === 'literal' || !Object.hasOwn(fixedParams, part.name)) return part;
    const value = fixedParams[part.name];
    if (value === undefined) return part;
    return { kind: 'parameter', name: part.name, value: encodedSlotValue(template, part.name, { [part.name]: value }) };
  });
  return { template, parts };
}

/**
 * An anchored RegExp matching the concrete addresses of `pattern`.
 *
 * Matching rule: literal parts and fixed parameter values match exactly (they
 * are escaped, so a `.` is a dot). A wildcard slot matches one or more
 * characters other than the template's separator: `/` when a literal part
 * contains `/`, otherwise `.` when a literal contains `.`, otherwise either
 * character. This mirrors broker wildcards (MQTT `+`, NATS `*`), which match
 * exactly one level. Slots are non-greedy inside the anchored expression, so
 * backtracking finds a split wherever one exists; since encoded values contain
 * only `A-Z a-z 0-9 - _ ~ %`, the split is exact whenever the literal after a
 * slot starts with another character. A repeated parameter must hold the
 * same text in every slot (back-reference).
 */
export function addressPatternRegExp(pattern: AddressPattern): RegExp {
  return compilePattern(pattern).regex;
}

/**
 * Parses concrete addresses of `pattern` into decoded parameter values
 * (fixed parameters included). Returns undefined when an address does not
 * match; throws when a matching slot holds a malformed percent-escape.
 */
export function createPatternMatcher(pattern: AddressPattern): (address: string) => Record<string, string> | undefined {
  const { regex, groupNames } = compilePattern(pattern);
  const fixed = fixedValues(pattern);
  return (address) => {
    const match = regex.exec(address);
    if (match === null) return undefined;
    const params: Record<string, string> = {};
    groupNames.forEach((name, index) => {
      params[name] = decodeSlot(name, match[index + 1] ?? '', address);
    });
    for (const [name, value] of fixed) params[name] = decodeSlot(name, value, address);
    return params;
  };
}

/** `createPatternMatcher` for a template with every parameter a wildcard. */
export function createAddressMatcher(template: string): (address: string) => Record<string, string> | undefined {
  return createPatternMatcher(parseAddressTemplate(template));
}

function compilePattern(pattern: AddressPattern): { regex: RegExp; groupNames: string[] } {
  const slot = slotExpression(pattern.parts);
  const groupNames: string[] = [];
  let source = '^';
  for (const part of pattern.parts) {
    if (part.kind === 'literal') source += escapeRegExp(part.text);
    else if (part.value !== undefined) source += escapeRegExp(part.value);
    else {
      const group = groupNames.indexOf(part.name);
      if (group === -1) {
        groupNames.push(part.name);
        source += `(${slot})`;
      } else {
        source += `\\${group + 1}`;
      }
    }
  }
  return { regex: new RegExp(`${source}$`), groupNames };
}

function slotExpression(parts: ReadonlyArray<AddressPart>): string {
  const literals = parts.flatMap((part) => (part.kind === 'literal' ? [part.text] : []));
  if (literals.some((text) => text.includes('/'))) return '[^/]+?';
  if (literals.some((text) => text.includes('.'))) return '[^.]+?';
  return '[\\s\\S]+?';
}

function fixedValues(pattern: AddressPattern): Map<string, string> {
  const fixed = new Map<string, string>();
  for (const part of pattern.parts) {
    if (part.kind === 'parameter' && part.value !== undefined) fixed.set(part.name, part.value);
  }
  return fixed;
}

function encodedSlotValue(template: string, name: string, params: ParameterValues): string {
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  if (value === undefined) throw new Error(`Missing value for parameter "${name}" of address "${template}"`);
  if (value === '') throw new Error(`Empty value for parameter "${name}" of address "${template}"`);
  return encodeParameterValue(value);
}

function parameterText(value: ParameterValue): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return String(value);
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`Parameter value ${value} is not a finite number`);
      return String(value);
    default:
      throw new TypeError(`Parameter value must be a string, number or boolean, got ${typeof value}`);
  }
}

function decodeSlot(name: string, text: string, address: string): string {
  try {
    return decodeParameterValue(text);
  } catch (error) {
    throw new Error(`Parameter "${name}" of address "${address}": ${(error as Error).message}`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function invalidTemplate(template: string, problem: string): Error {
  return new Error(`Invalid address template "${template}": ${problem}`);
}
