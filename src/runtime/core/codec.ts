/**
 * Payload encoding per content type: the one place where values become bytes
 * and bytes become values. JSON is written exactly once, as plain UTF-8 JSON;
 * text is UTF-8; binary content types pass Uint8Array through unchanged.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** How a content type's payload is represented in generated code. */
export type PayloadKind = 'json' | 'text' | 'binary';

export type DecodeResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

// Buffer, not TextEncoder: it encodes into Node's buffer pool instead of allocating a backing
// store per message, several times faster for the short strings of typical messages.
function utf8Bytes(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A private copy of received bytes, so a handler may keep them after the
 * client reuses or releases its buffers. Small copies are cut from shared
 * 8 KiB slabs, as Node's buffer pool does (a fresh backing store per message
 * costs microseconds), but as one plain Uint8Array view instead of a Buffer
 * and a view of it: half the time. A kept copy keeps its slab alive, as a
 * pooled Buffer keeps its pool.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const length = bytes.length;
  if (length > MAX_SLAB_COPY) {
    const copy = new Uint8Array(length);
    copy.set(bytes);
    return copy;
  }
  if (slabOffset + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOffset = 0;
  }
  const copy = new Uint8Array(slab, slabOffset, length);
  copy.set(bytes);
  // Aligned to 8 bytes, like Node's pool.
  slabOffset += (length + 7) & ~7;
  return copy;
}

const SLAB_BYTES = 8192;
const MAX_SLAB_COPY = SLAB_BYTES >>> 1;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOffset = 0;

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8. */
function strictUtf8Text(bytes: Uint8Array): string | undefined {
  if (strictDecoder !== undefined) {
    try {
      // Checks and decodes in one pass; like every TextDecoder it drops a leading byte order mark.
      return strictDecoder.decode(bytes);
    } catch {
      return undefined;
    }
  }
  if (!isUtf8(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A fatal UTF-8 decoder, where this Node.js build has one (builds without ICU may not). */
const strictDecoder: TextDecoder | undefined = (() => {
  try {
    return new TextDecoder('utf-8', { fatal: true });
  } catch {
    return undefined;
  }
})();

/**
 * Classifies a content type (parameters such as `; charset=utf-8` and case
 * are ignored):
 * - `json`: missing or empty, `application/json`, `text/json`,
 *   `application/x-json`, or a `+json` suffix (`application/vnd.x+json`).
 * - `text`: `text/*`, `application/xml`, `+xml`, `application/yaml`,
 *   `application/x-yaml`, `+yaml`.
 * - `binary`: everything else (`application/octet-stream`,
 *   `application/vnd.apache.avro`, `application/x-protobuf`, unknown types).
 */
export function payloadKind(contentType: string | undefined): PayloadKind {
  return classification(contentType).kind;
}

/**
 * Whether a content type names a media type: not absent, empty or only parameters (`; charset=x`).
 * A message whose content type names none is taken as whatever its operation declares.
 */
export function namesMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && classification(contentType).namesMediaType;
}

interface Classification {
  readonly kind: PayloadKind;
  readonly namesMediaType: boolean;
}

function classification(contentType: string | undefined): Classification {
  // Asked several times for every message, nearly always of the content type asked last: a
  // received header is a new string each time, and hashing it for the map costs more than comparing.
  const key = contentType ?? '';
  if (key === lastClassified.key) return lastClassified.classification;
  let found = classifications.get(key);
  if (found === undefined) {
    found = { kind: classify(contentType), namesMediaType: mediaTypeEssence(contentType) !== '' };
    if (classifications.size >= 1024) classifications.clear();
    classifications.set(key, found);
  }
  lastClassified = { key, classification: found };
  return found;
}

const classifications = new Map<string, Classification>();
let lastClassified: { readonly key: string; readonly classification: Classification } = { key: '', classification: { kind: 'json', namesMediaType: false } };

function classify(contentType: string | undefined): PayloadKind {
  const essence = mediaTypeEssence(contentType);
  if (essence === '' || JSON_TYPES.has(essence) || essence.endsWith('+json')) return 'json';
  if (essence.startsWith('text/') || TEXT_TYPES.has(essence) || essence.endsWith('+xml') || essence.endsWith('+yaml')) {
    return 'text';
  }
  return 'binary';
}

/** The lower-cased `type/subtype` of a content type, without parameters. */
export function mediaTypeEssence(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Encodes a payload for the wire. Throws a TypeError when the value does not
 * fit the content type: a non-string for text, a non-Uint8Array for binary,
 * and for JSON a Uint8Array (already-encoded bytes would be encoded twice) or
 * a value JSON cannot represent (undefined, a function, a BigInt, a cycle).
 */
export function encodePayload(value: unknown, contentType: string | undefined): Uint8Array {
  switch (payloadKind(contentType)) {
    case 'json':
      return utf8Bytes(jsonText(value, contentType));
    case 'text':
      if (typeof value !== 'string') {
        throw new TypeError(`A ${describe(contentType)} payload must be a string, got ${typeName(value)}`);
      }
      return utf8Bytes(value);
    case 'binary':
      if (!isUint8Array(value)) {
        throw new TypeError(`A ${describe(contentType)} payload must be a Uint8Array, got ${typeName(value)}`);
      }
      return value;
  }
}

/**
 * Decodes payload bytes. JSON and text must be valid UTF-8; JSON errors carry
 * the parser's message. Binary payloads are returned as the same Uint8Array.
 */
export function decodePayload(bytes: Uint8Array, contentType: string | undefined): DecodeResult {
  const kind = payloadKind(contentType);
  if (kind === 'binary') return { ok: true, value: bytes };
  const text = strictUtf8Text(bytes);
  if (text === undefined) return { ok: false, error: `Payload is not valid UTF-8 (content type ${describe(contentType)})` };
  if (kind === 'text') return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const JSON_TYPES: ReadonlySet<string> = new Set(['application/json', 'text/json', 'application/x-json']);
const TEXT_TYPES: ReadonlySet<string> = new Set(['application/xml', 'application/yaml', 'application/x-yaml']);

function jsonText(value: unknown, contentType: string | undefined): string {
  if (isUint8Array(value)) {
    throw new TypeError(
      `A ${describe(contentType)} payload must be the value itself, not its encoded bytes (got a Uint8Array)`,
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(`Cannot encode ${describe(contentType)} payload as JSON: ${reason}`);
  }
  // JSON.stringify returns undefined for undefined, functions and symbols.
  if (text === undefined) {
    throw new TypeError(`Cannot encode ${describe(contentType)} payload as JSON: got ${typeName(value)}`);
  }
  return text;
}

function isUint8Array(value: unknown): value is Uint8Array {
  // The tag check also accepts Uint8Arrays (and Buffers) from another realm.
  // isView first: the tag is only computed for typed arrays, not for every object payload.
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]');
}

function describe(contentType: string | undefined): string {
  return contentType === undefined || contentType.trim() === '' ? 'JSON (default)' : `"${contentType}"`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isUint8Array(value)) return 'a Uint8Array';
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value).slice(8, -1)})` : typeof value;
}
