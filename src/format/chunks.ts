/**
 * Cutting a large TypeScript file into pieces that prettier formats one by one. Prettier's time
 * grows faster than the size of a file (a 0.57 MB index.ts took 0.8 s whole and 0.35 s in 20 kB
 * pieces, on one thread), and pieces can also be spread over the formatting lanes.
 *
 * The pieces give the same bytes as the whole file because each cut is where prettier itself puts
 * one blank line between two top-level statements: after a line ending a statement (`;` or `}`),
 * then at least one empty line, then a line at column 0 that starts a declaration (or the JSDoc
 * comment of one). Prettier prints top-level statements one after the other, keeping one blank
 * line where the source had one, and nothing it decides depends on the rest of the file; so
 * `format(a + b) === format(a) + '\n' + format(b)`. A line that only looks like such a place (inside
 * a multi-line comment, template literal or block) leaves a piece that ends inside that construct,
 * which prettier refuses to parse; the caller then formats the file whole.
 */

/** Below this size a file is formatted whole. */
export const CHUNK_MIN_CHARS = 40_000;
/** About the size of each piece. */
export const CHUNK_TARGET_CHARS = 20_000;

const DECLARATION_START = /^(?:export |import |const |let |function |async function |type |interface |declare |class |abstract class |enum )/;
const STATEMENT_END = /[;}]\s*$/;

/** Splits `text` into pieces at top-level statement boundaries; one piece when it is small or has no such place. */
export function splitForFormatting(text: string, targetChars = CHUNK_TARGET_CHARS, minChars = CHUNK_MIN_CHARS): string[] {
  if (text.length < minChars) return [text];
  const pieces: string[] = [];
  let pieceStart = 0;
  let lastCode = '';
  let sawBlank = false;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    // Only spaces and tabs: prettier does not take other Unicode spaces for a blank line.
    if (/^[ \t]*$/.test(line)) {
      sawBlank = true;
    } else {
      // Not after an empty statement (`;` alone), which prettier drops together with the blank line.
      if (sawBlank && lineStart - pieceStart >= targetChars && STATEMENT_END.test(lastCode) && lastCode.trim() !== ';' && startsDeclaration(text, lineStart, line)) {
        pieces.push(text.slice(pieceStart, lineStart));
        pieceStart = lineStart;
      }
      sawBlank = false;
      lastCode = line;
    }
    lineStart = lineEnd + 1;
  }
  pieces.push(text.slice(pieceStart));
  return pieces;
}

/** A declaration keyword at column 0, or a JSDoc comment at column 0 whose next line after it is one. */
function startsDeclaration(text: string, lineStart: number, line: string): boolean {
  if (DECLARATION_START.test(line)) return true;
  if (!line.startsWith('/**')) return false;
  const commentEnd = text.indexOf('*/', lineStart + 3);
  if (commentEnd === -1) return false;
  const afterComment = text.indexOf('\n', commentEnd);
  if (afterComment === -1 || text.slice(commentEnd + 2, afterComment).trim() !== '') return false;
  const next = text.indexOf('\n', afterComment + 1);
  return DECLARATION_START.test(text.slice(afterComment + 1, next === -1 ? text.length : next));
}

/** The formatted pieces of one file, put back together. */
export function joinFormatted(pieces: ReadonlyArray<string>): string {
  return pieces.join('\n');
}
