/**
 * Checkers for the JSON Schema `format` keyword (and the OpenAPI numeric formats).
 *
 * Copied verbatim into the generated output as `core/formats.ts`; depends on
 * nothing. Each checker is correct for the common cases, simple, and runs in
 * linear time: the regular expressions have no nested or overlapping repetition.
 */

// Dates and times are read in one pass over their char codes, syntax and ranges together: about
// twice as fast as a regular expression followed by the range checks, and nothing is allocated.
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const HYPHEN = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
/** `| LOWER_CASE` folds an ASCII letter to lower case (and maps no other char onto a letter). */
const LOWER_CASE = 0x20;

function isDigitCode(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The two decimal digits at `at` as a number; -1 when either is missing or not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at);
  const ones = text.charCodeAt(at + 1);
  return isDigitCode(tens) && isDigitCode(ones) ? (tens - 0x30) * 10 + ones - 0x30 : -1;
}

/** Whether an RFC 3339 `full-date` (`YYYY-MM-DD`, a real day) starts at `at`. */
function isFullDateAt(text: string, at: number): boolean {
  const century = twoDigits(text, at);
  const yearOfCentury = twoDigits(text, at + 2);
  const month = twoDigits(text, at + 5);
  const day = twoDigits(text, at + 8);
  if (century < 0 || yearOfCentury < 0 || text.charCodeAt(at + 4) !== HYPHEN || text.charCodeAt(at + 7) !== HYPHEN) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yearOfCentury;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0);
  return day <= maxDay;
}

/** Whether an RFC 3339 `full-time` (`hh:mm:ss[.f](Z|+hh:mm)`, offset required) runs from `at` to the end. */
function isFullTimeToEnd(text: string, at: number): boolean {
  const hour = twoDigits(text, at);
  const minute = twoDigits(text, at + 3);
  const second = twoDigits(text, at + 6);
  if (hour < 0 || minute < 0 || second < 0 || text.charCodeAt(at + 2) !== COLON || text.charCodeAt(at + 5) !== COLON) return false;
  let zoneAt = at + 8;
  if (text.charCodeAt(zoneAt) === DOT) {
    const fractionAt = zoneAt + 1;
    zoneAt = fractionAt;
    while (isDigitCode(text.charCodeAt(zoneAt))) zoneAt += 1;
    if (zoneAt === fractionAt) return false;
  }
  const zone = text.charCodeAt(zoneAt);
  let offsetMinutes = 0;
  if ((zone | LOWER_CASE) === 0x7a) {
    if (zoneAt + 1 !== text.length) return false;
  } else if (zone === PLUS || zone === HYPHEN) {
    const offsetHour = twoDigits(text, zoneAt + 1);
    const offsetMinute = twoDigits(text, zoneAt + 4);
    if (zoneAt + 6 !== text.length || text.charCodeAt(zoneAt + 3) !== COLON) return false;
    if (offsetHour < 0 || offsetMinute < 0 || offsetHour > 23 || offsetMinute > 59) return false;
    offsetMinutes = (zone === HYPHEN ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  } else {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (second < 60) return true;
  // A leap second is only ever 23:59:60 in UTC.
  const utcMinutes = (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440;
  return utcMinutes === 23 * 60 + 59;
}

/** RFC 3339 `full-date`: `2024-02-29`. */
export function isDate(text: string): boolean {
  return text.length === 10 && isFullDateAt(text, 0);
}

/** RFC 3339 `full-time` (offset required): `13:45:30.5Z`, `23:59:60+00:00` for a leap second. */
export function isTime(text: string): boolean {
  return isFullTimeToEnd(text, 0);
}

/** RFC 3339 `date-time`: `2024-02-29T13:45:30Z`. */
export function isDateTime(text: string): boolean {
  return isFullDateAt(text, 0) && (text.charCodeAt(10) | LOWER_CASE) === 0x74 && isFullTimeToEnd(text, 11);
}

/** ISO 8601 duration as in RFC 3339 appendix A: `P3DT4H`, `PT0.5S`, `P2W`. */
export function isDuration(text: string): boolean {
  return /^P(?!$)(?:(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?|\d+W)$/.test(text);
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const ATEXT_INTERNATIONAL = "[\\p{L}\\p{N}\\p{M}!#$%&'*+/=?^_`{|}~-]";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const IDN_LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}\\p{M}-]{0,61}[\\p{L}\\p{N}\\p{M}])?';
// Labels and atoms cannot contain the `.` or `@` that separate them, so matching is linear.
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const IDN_HOSTNAME = new RegExp(`^${IDN_LABEL}(?:\\.${IDN_LABEL})*$`, 'u');
const EMAIL = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*@${LABEL}(?:\\.${LABEL})*$`);
const IDN_EMAIL = new RegExp(`^${ATEXT_INTERNATIONAL}+(?:\\.${ATEXT_INTERNATIONAL}+)*@${IDN_LABEL}(?:\\.${IDN_LABEL})*$`, 'u');
const EMAIL_WITH_ADDRESS_LITERAL = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*@\\[(?:IPv6:)?[0-9A-Fa-f:.]+\\]$`);

function isEmailWith(text: string, pattern: RegExp): boolean {
  const at = text.lastIndexOf('@');
  if (at > 64 || text.length - at - 1 > 253) return false;
  if (pattern.test(text)) return true;
  if (!EMAIL_WITH_ADDRESS_LITERAL.test(text)) return false;
  const literal = text.slice(at + 2, -1);
  return literal.startsWith('IPv6:') ? isIpv6(literal.slice(5)) : isIpv4(literal);
}

/** RFC 5321 mailbox with a dot-atom local part: `user.name+tag@example.com`, `a@[127.0.0.1]`. */
export function isEmail(text: string): boolean {
  return isEmailWith(text, EMAIL);
}

/** RFC 6531 mailbox: like `email`, with international characters allowed. */
export function isIdnEmail(text: string): boolean {
  return isEmailWith(text, IDN_EMAIL);
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
export function isHostname(text: string): boolean {
  return text.length <= 253 && HOSTNAME.test(text);
}

/** Internationalised host name (simplified IDNA: letters, digits, marks and inner hyphens per label). */
export function isIdnHostname(text: string): boolean {
  const normalised = text.normalize('NFC').replace(/[\u3002\uff0e\uff61]/g, '.');
  return normalised.length <= 253 && IDN_HOSTNAME.test(normalised);
}

/** Dotted-quad IPv4 address, no leading zeros: `192.168.0.1`. */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return false;
  }
  return true;
}

/** RFC 4291 IPv6 address, with `::` compression and an optional trailing IPv4 part. */
export function isIpv6(text: string): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const compressed = text.indexOf('::');
  if (compressed !== -1 && text.indexOf('::', compressed + 1) !== -1) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all =
    compressed === -1
      ? groups(text)
      : [...groups(text.slice(0, compressed)), ...groups(text.slice(compressed + 2))];
  let units = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i] ?? '';
    if (i === all.length - 1 && group.includes('.') && text.endsWith(group)) {
      if (!isIpv4(group)) return false;
      units += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      units += 1;
    } else {
      return false;
    }
  }
  return compressed === -1 ? units === 8 : units <= 7;
}

const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Unreserved, reserved and `%`; percent-encodings are checked separately.
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const IRI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]|[^\u0000-\u007f\p{Cc}\p{Zs}\p{Zl}\p{Zp}])*$/u;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

function isUriLike(text: string, chars: RegExp, requireScheme: boolean): boolean {
  if (!chars.test(text) || BAD_PERCENT.test(text)) return false;
  const scheme = URI_SCHEME.exec(text);
  if (scheme === null && (requireScheme || /^[^/?#]*:/.test(text))) return false;
  const rest = scheme === null ? text : text.slice(scheme[0].length);
  const fragment = rest.indexOf('#');
  if (fragment !== -1 && rest.indexOf('#', fragment + 1) !== -1) return false;
  if (/[[\]]/.test(rest)) {
    // Brackets only delimit an IP literal inside the authority.
    if (!rest.startsWith('//')) return false;
    const authorityLength = rest.slice(2).search(/[/?#]/);
    const authority = authorityLength === -1 ? rest.slice(2) : rest.slice(2, 2 + authorityLength);
    const outside = authorityLength === -1 ? '' : rest.slice(2 + authorityLength);
    if (/[[\]]/.test(outside) || !/^(?:[^@[\]]*@)?(?:\[[0-9A-Fa-f:.vV]+\]|[^[\]]*)(?::\d*)?$/.test(authority)) return false;
  }
  return true;
}

/** RFC 3986 absolute URI with a scheme: `https://example.com/a?b#c`, `urn:isbn:0451450523`. */
export function isUri(text: string): boolean {
  return isUriLike(text, URI_CHARS, true);
}

/** RFC 3986 URI or relative reference: `../a/b?c`, `#frag`, `https://x`. */
export function isUriReference(text: string): boolean {
  return isUriLike(text, URI_CHARS, false);
}

/** RFC 3987 IRI: like `uri`, with international characters allowed. */
export function isIri(text: string): boolean {
  return isUriLike(text, IRI_CHARS, true);
}

/** RFC 3987 IRI or relative reference. */
export function isIriReference(text: string): boolean {
  return isUriLike(text, IRI_CHARS, false);
}

// Made once: a literal in the function makes a new RegExp object on every call.
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** RFC 4122 UUID in its hyphenated form. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** An ECMA-262 regular expression (checked with the `u` flag, as JSON Schema patterns are). */
export function isRegex(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}

/** RFC 6901 JSON pointer: `''`, `/a/b~1c/0`. */
export function isJsonPointer(text: string): boolean {
  return /^(?:\/(?:[^~/]|~[01])*)*$/.test(text);
}

/** Relative JSON pointer: `0`, `1/a/b`, `2#`. */
export function isRelativeJsonPointer(text: string): boolean {
  return /^(?:0|[1-9]\d*)(?:#|(?:\/(?:[^~/]|~[01])*)*)$/.test(text);
}

/** RFC 6570 URI template: `/users/{id}{?fields*}`. */
export function isUriTemplate(text: string): boolean {
  return /^(?:[^\u0000-\u0020"'<>%\\^`{|}]|%[0-9A-Fa-f]{2}|\{[+#./;?&=,!@|]?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\*)?(?:,(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*(?::[1-9][0-9]{0,3}|\*)?)*\})*$/u.test(
    text,
  );
}

/** RFC 4648 base64 with padding (OpenAPI `byte`). */
export function isByte(text: string): boolean {
  return text.length % 4 === 0 && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
}

/** OpenAPI `int32`: an integer in [-2^31, 2^31 - 1]. */
export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}

/** OpenAPI `int64`: an integer in [-2^63, 2^63 - 1] (precision beyond 2^53 is lost by JSON.parse). */
export function isInt64(value: number): boolean {
  return Number.isInteger(value) && value >= -9223372036854775808 && value <= 9223372036854775807;
}

/** OpenAPI `float`: a finite number within single precision range. */
export function isFloat(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= 3.4028234663852886e38;
}

/** OpenAPI `double`: a finite number. */
export function isDouble(value: number): boolean {
  return Number.isFinite(value);
}
