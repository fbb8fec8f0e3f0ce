/**
 * What generated validators report, and the small helpers they call.
 *
 * Copied verbatim into the generated output as `core/validation.ts`; depends on
 * nothing. The helpers allocate nothing on success so that validating a valid
 * payload stays cheap.
 */

/** One reason a value does not match its schema. */
export interface ValidationIssue {
  /** JSON pointer (RFC 6901) of the offending value; `''` is the value itself. */
  readonly path: string;
  /** Human-readable reason, for example `must be string`. */
  readonly message: string;
  /** The JSON Schema keyword that failed, for example `type` or `required`. */
  readonly keyword: string;
}

/** Records one issue; generated validators call it for every failure they report. */
export function addIssue(issues: ValidationIssue[], path: string, message: string, keyword: string): void {
  issues.push({ path, message, keyword });
}

/** One line per issue: `/items/0/name: must be string` (the root is shown as `(root)`). */
export function formatIssues(issues: ReadonlyArray<ValidationIssue>): string {
  return issues.map((issue) => `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`).join('\n');
}

/** Thrown by generated code when a value does not match its schema. */
export class ValidationError extends Error {
  readonly issues: ReadonlyArray<ValidationIssue>;

  /** `context` says what was being validated, for example `Invalid payload for operation sendUser`. */
  constructor(issues: ReadonlyArray<ValidationIssue>, context = 'Validation failed') {
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    const details = formatIssues(issues)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n');
    super(issues.length === 0 ? context : `${context} (${count}):\n${details}`);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/**
 * The issues without repeats (the same failure reached through two `allOf`
 * branches), in order; never empty for a value that failed, so that a
 * validator and its type guard always agree.
 */
export function distinctIssues(issues: ReadonlyArray<ValidationIssue>): ValidationIssue[] {
  if (issues.length === 0) return [{ path: '', message: 'must match the schema', keyword: 'schema' }];
  const seen = new Set<string>();
  const distinct: ValidationIssue[] = [];
  for (const issue of issues) {
    const key = `${issue.path}\u0000${issue.keyword}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(issue);
  }
  return distinct;
}

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Own-property test that is safe for keys such as `constructor` and `__proto__`. */
export function hasOwn(object: object, key: string): boolean {
  return hasOwnProperty.call(object, key);
}

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Number of own enumerable keys, without building an array (`minProperties`, `maxProperties`). */
export function ownKeyCount(object: object): number {
  let count = 0;
  for (const key in object) {
    if (hasOwn(object, key)) count++;
  }
  return count;
}

/** One segment of a JSON pointer: `~` and `/` escaped as RFC 6901 says. */
export function pointerSegment(key: string | number): string {
  return typeof key === 'number' ? String(key) : key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Length in Unicode code points, which is what `minLength` and `maxLength` count. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** `multipleOf` with a tolerance for binary floating point (`0.3` is a multiple of `0.1`). */
export function isMultipleOf(value: number, divisor: number): boolean {
  if (Number.isInteger(value) && Number.isInteger(divisor)) return value % divisor === 0;
  const quotient = value / divisor;
  if (!Number.isFinite(quotient)) return false;
  return Math.abs(quotient - Math.round(quotient)) <= 1e-9 * Math.max(1, Math.abs(quotient));
}

/** Equality of JSON values as JSON Schema defines it (`const`, `enum`, `uniqueItems`). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!deepEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let leftCount = 0;
  for (const key in left) {
    if (!hasOwn(left, key)) continue;
    leftCount++;
    if (!hasOwn(right, key) || !deepEqual(left[key], right[key])) return false;
  }
  let rightCount = 0;
  for (const key in right) {
    if (hasOwn(right, key)) rightCount++;
  }
  return leftCount === rightCount;
}

/** Whether `list` holds a value deep-equal to `value` (`enum` with object or array members). */
export function includesDeep(list: ReadonlyArray<unknown>, value: unknown): boolean {
  for (const member of list) {
    if (deepEqual(member, value)) return true;
  }
  return false;
}

/** Indices `[first, second]` of the first pair of equal items, or `undefined` when all are unique. */
export function findDuplicateItems(items: ReadonlyArray<unknown>): readonly [number, number] | undefined {
  if (items.length > 16 && items.every((item) => typeof item !== 'object' || item === null)) {
    // Long lists of primitives: linear time instead of comparing every pair.
    const seen = new Map<unknown, number>();
    for (let j = 0; j < items.length; j++) {
      const first = seen.get(items[j]);
      if (first !== undefined) return [first, j];
      seen.set(items[j], j);
    }
    return undefined;
  }
  for (let j = 1; j < items.length; j++) {
    for (let i = 0; i < j; i++) {
      if (deepEqual(items[i], items[j])) return [i, j];
    }
  }
  return undefined;
}
