/**
 * A cheap measure of how much work a document is for the AsyncAPI parser, taken before parsing.
 * The parser's time grows faster than linearly with the number of nodes (on a busy 2-core machine:
 * 6 s at 43,000 lines, 16 s at 86,000, 28 s at 148,000; a 20 MB document would take many
 * minutes), so we refuse documents that would seem to hang instead of starting on them.
 */

/** Lines, or commas when there are more of them, so that minified JSON is measured fairly. */
export function estimateLines(text: string): number {
  let newlines = 0;
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) newlines++;
    else if (code === 0x2c) commas++;
  }
  return Math.max(newlines, commas) + 1;
}

export const DEFAULT_MAX_LINES = 150_000;
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
