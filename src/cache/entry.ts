/**
 * The text of one cache entry, and the strict reading of it back. An entry is
 * `{ format, sha256, payload }` where `payload` is itself JSON text and `sha256` is its hash, so a
 * truncated or edited entry is caught before its contents are looked at.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic, Severity, SourceLocation } from '../diagnostics.js';
import { decodeGraph, encodeGraph, type EncodedGraph } from './graph.js';
import { CACHE_FORMAT_VERSION, type CachedDocument, type CachedLoad } from './load-cache.js';

interface EntryPayload {
  /** The key the entry was written under: a file copied or renamed to another key is not trusted. */
  readonly key: string;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  readonly document?: { readonly asyncapiVersion: string; readonly graph: EncodedGraph };
}

/** The text of an entry holding `payload`: its JSON with a checksum, under this cache format. */
export function sealEntry(payload: object): string {
  const payloadText = JSON.stringify(payload);
  return JSON.stringify({ format: CACHE_FORMAT_VERSION, sha256: sha256Hex(payloadText), payload: payloadText });
}

/** The payload of an intact entry of this format written under `key`, else undefined. Throws on bad JSON. */
export function openEntry(key: string, text: string): Record<string, unknown> | undefined {
  const entry: unknown = JSON.parse(text);
  if (!isRecord(entry) || entry['format'] !== CACHE_FORMAT_VERSION) return undefined;
  const payloadText = entry['payload'];
  if (typeof payloadText !== 'string' || entry['sha256'] !== sha256Hex(payloadText)) return undefined;
  const payload: unknown = JSON.parse(payloadText);
  return isRecord(payload) && payload['key'] === key ? payload : undefined;
}

/** Throws `UnsupportedGraphValueError` when the document holds a value the encoding cannot keep. */
export function serializeEntry(key: string, value: CachedLoad): string {
  const payload: EntryPayload = {
    key,
    diagnostics: value.diagnostics,
    ...(value.document === undefined
      ? {}
      : { document: { asyncapiVersion: value.document.asyncapiVersion, graph: encodeGraph(value.document.json) } }),
  };
  return sealEntry(payload);
}

/** Undefined for anything but an intact entry of this format written under `key`. */
export function parseEntry(key: string, text: string): CachedLoad | undefined {
  try {
    const payload = openEntry(key, text);
    // A generation entry (`generation.ts`) is not a load.
    if (payload === undefined || payload['kind'] !== undefined) return undefined;
    const diagnostics = readDiagnostics(payload['diagnostics']);
    if (diagnostics === undefined) return undefined;
    if (payload['document'] === undefined) return { diagnostics };
    const document = readDocument(payload['document']);
    return document === undefined ? undefined : { diagnostics, document };
  } catch {
    // Bad JSON or a malformed graph: the same as no entry.
    return undefined;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readDocument(value: unknown): CachedDocument | undefined {
  if (!isRecord(value) || typeof value['asyncapiVersion'] !== 'string') return undefined;
  const json = decodeGraph(value['graph']);
  if (Array.isArray(json)) return undefined;
  return { json, asyncapiVersion: value['asyncapiVersion'] };
}

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['error', 'warning', 'info', 'hint']);

export function readDiagnostics(value: unknown): Diagnostic[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: ReadonlyArray<unknown> = value;
  const diagnostics: Diagnostic[] = [];
  for (const item of items) {
    const diagnostic = readDiagnostic(item);
    if (diagnostic === undefined) return undefined;
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

/** Rebuilt field by field, so nothing but the fields of a `Diagnostic` comes out of the file. */
function readDiagnostic(value: unknown): Diagnostic | undefined {
  if (!isRecord(value)) return undefined;
  const { severity, code, message, location, pointer, hint } = value;
  if (!isSeverity(severity) || typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (!isOptionalString(pointer) || !isOptionalString(hint)) return undefined;
  const sourceLocation = location === undefined ? undefined : readLocation(location);
  if (location !== undefined && sourceLocation === undefined) return undefined;
  return {
    severity,
    code,
    message,
    ...(sourceLocation === undefined ? {} : { location: sourceLocation }),
    ...(pointer === undefined ? {} : { pointer }),
    ...(hint === undefined ? {} : { hint }),
  };
}

function readLocation(value: unknown): SourceLocation | undefined {
  if (!isRecord(value)) return undefined;
  const { file, line, column } = value;
  if (typeof file !== 'string' || !isFiniteNumber(line) || !isFiniteNumber(column)) return undefined;
  return { file, line, column };
}

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && SEVERITIES.has(value);
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
