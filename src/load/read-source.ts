/**
 * Reads one document file as text, turning every way that can fail into a located diagnostic:
 * missing, a directory, unreadable, too big, empty, or not UTF-8 text.
 */
import { promises as fs } from 'node:fs';
import type { Diagnostic } from '../diagnostics.js';
import { fileNotFound, fileTooLarge, fileUnreadable, emptyDocument, notAFile, notText } from './problems.js';

export type SourceText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** The file system calls this module needs; tests replace them to simulate failures root cannot get. */
export interface SourceFileSystem {
  stat(file: string): Promise<{ isDirectory(): boolean; readonly size: number }>;
  readFile(file: string): Promise<Uint8Array>;
}

export const nodeFileSystem: SourceFileSystem = {
  stat: (file) => fs.stat(file),
  readFile: (file) => fs.readFile(file),
};

export async function readSourceText(
  file: string,
  maxBytes: number,
  fileSystem: SourceFileSystem = nodeFileSystem,
): Promise<SourceText> {
  let bytes: Uint8Array;
  try {
    const stats = await fileSystem.stat(file);
    if (stats.isDirectory()) return failed(notAFile(file));
    if (stats.size > maxBytes) return failed(fileTooLarge(file, stats.size, maxBytes));
    bytes = await fileSystem.readFile(file);
  } catch (error) {
    return failed(describeReadError(file, error));
  }
  if (bytes.length === 0) return failed(emptyDocument(file));
  return decodeUtf8(file, bytes);
}

function describeReadError(file: string, error: unknown): Diagnostic {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return fileNotFound(file);
  if (code === 'EISDIR') return notAFile(file);
  return fileUnreadable(file, error instanceof Error ? error.message : String(error));
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

function decodeUtf8(file: string, bytes: Uint8Array): SourceText {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return failed(notText(`it contains a NUL byte at byte ${nul}`, locationOfByte(file, bytes, nul)));
  }
  try {
    // `fatal` rejects invalid UTF-8 instead of silently inserting U+FFFD; a leading BOM is dropped.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8Byte(bytes);
    return failed(notText(`invalid UTF-8 at byte ${bad}`, locationOfByte(file, bytes, bad)));
  }
}

function failed(diagnostic: Diagnostic): SourceText {
  return { ok: false, diagnostic };
}

/** Line and column (counted in bytes) of a byte offset, good enough to point at binary garbage. */
function locationOfByte(file: string, bytes: Uint8Array, offset: number): { file: string; line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file, line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629 table), or 0 when it is malformed. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  const [length, secondMin, secondMax] =
    lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf]
    : lead === 0xe0 ? [3, 0xa0, 0xbf]
    : lead === 0xed ? [3, 0x80, 0x9f]
    : lead >= 0xe1 && lead <= 0xef ? [3, 0x80, 0xbf]
    : lead === 0xf0 ? [4, 0x90, 0xbf]
    : lead === 0xf4 ? [4, 0x80, 0x8f]
    : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf]
    : [0, 0, 0];
  if (length === 0) return 0;
  const second = bytes[i + 1];
  if (second === undefined || second < secondMin || second > secondMax) return 0;
  for (let k = 2; k < length; k++) {
    const next = bytes[i + k];
    if (next === undefined || next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}
