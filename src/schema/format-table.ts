/**
 * Which `format` values the generated validators check, and with which
 * function of the runtime's `core/formats.ts`.
 */

export interface FormatCheck {
  /** Name of the exported checker in `src/runtime/core/formats.ts`. */
  readonly checker: string;
  /** The instance type the format applies to; other types pass, as JSON Schema says. */
  readonly appliesTo: 'string' | 'number';
}

const FORMATS: ReadonlyMap<string, FormatCheck> = new Map<string, FormatCheck>([
  ['date-time', { checker: 'isDateTime', appliesTo: 'string' }],
  ['date', { checker: 'isDate', appliesTo: 'string' }],
  ['time', { checker: 'isTime', appliesTo: 'string' }],
  ['duration', { checker: 'isDuration', appliesTo: 'string' }],
  ['email', { checker: 'isEmail', appliesTo: 'string' }],
  ['idn-email', { checker: 'isIdnEmail', appliesTo: 'string' }],
  ['hostname', { checker: 'isHostname', appliesTo: 'string' }],
  ['idn-hostname', { checker: 'isIdnHostname', appliesTo: 'string' }],
  ['ipv4', { checker: 'isIpv4', appliesTo: 'string' }],
  ['ipv6', { checker: 'isIpv6', appliesTo: 'string' }],
  ['uri', { checker: 'isUri', appliesTo: 'string' }],
  ['uri-reference', { checker: 'isUriReference', appliesTo: 'string' }],
  ['iri', { checker: 'isIri', appliesTo: 'string' }],
  ['iri-reference', { checker: 'isIriReference', appliesTo: 'string' }],
  ['uuid', { checker: 'isUuid', appliesTo: 'string' }],
  ['regex', { checker: 'isRegex', appliesTo: 'string' }],
  ['json-pointer', { checker: 'isJsonPointer', appliesTo: 'string' }],
  ['relative-json-pointer', { checker: 'isRelativeJsonPointer', appliesTo: 'string' }],
  ['uri-template', { checker: 'isUriTemplate', appliesTo: 'string' }],
  ['byte', { checker: 'isByte', appliesTo: 'string' }],
  ['int32', { checker: 'isInt32', appliesTo: 'number' }],
  ['int64', { checker: 'isInt64', appliesTo: 'number' }],
  ['float', { checker: 'isFloat', appliesTo: 'number' }],
  ['double', { checker: 'isDouble', appliesTo: 'number' }],
]);

/** OpenAPI formats that only document intent and need no check. */
const DOCUMENTATION_FORMATS: ReadonlySet<string> = new Set(['password', 'binary']);

export function formatCheck(format: string): FormatCheck | undefined {
  return FORMATS.get(format);
}

/** Whether an unknown-format notice is due: neither checked nor a documentation-only format. */
export function isUnknownFormat(format: string): boolean {
  return !FORMATS.has(format) && !DOCUMENTATION_FORMATS.has(format);
}

export function allFormatChecks(): ReadonlyArray<readonly [string, FormatCheck]> {
  return [...FORMATS];
}
