/**
 * A short unified diff of two texts, for `--check` reports: enough to see
 * what drifted, capped so that a large change stays readable.
 */

type Edit = { readonly kind: 'same' | 'delete' | 'insert'; readonly line: string };

/** Myers' O(ND) shortest edit script; undefined when more than `maxEdits` edits are needed. */
function editScript(before: ReadonlyArray<string>, after: ReadonlyArray<string>, maxEdits: number): Edit[] | undefined {
  const n = before.length;
  const m = after.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let frontier = new Int32Array(2 * max + 3);
  const history: Int32Array[] = [];
  for (let d = 0; d <= max; d += 1) {
    history.push(frontier.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (frontier[offset + k - 1] ?? 0) < (frontier[offset + k + 1] ?? 0));
      let x = down ? (frontier[offset + k + 1] ?? 0) : (frontier[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && before[x] === after[y]) {
        x += 1;
        y += 1;
      }
      frontier[offset + k] = x;
      if (x >= n && y >= m) return backtrack(history, before, after, d, k, offset);
    }
    frontier = frontier.slice();
  }
  return undefined;
}

function backtrack(history: ReadonlyArray<Int32Array>, before: ReadonlyArray<string>, after: ReadonlyArray<string>, finalD: number, finalK: number, offset: number): Edit[] {
  const edits: Edit[] = [];
  let x = before.length;
  let y = after.length;
  let k = finalK;
  for (let d = finalD; d > 0; d -= 1) {
    const frontier = history[d] ?? new Int32Array(0);
    const down = k === -d || (k !== d && (frontier[offset + k - 1] ?? 0) < (frontier[offset + k + 1] ?? 0));
    const previousK = down ? k + 1 : k - 1;
    const previousX = frontier[offset + previousK] ?? 0;
    const previousY = previousX - previousK;
    while (x > (down ? previousX : previousX + 1) && y > (down ? previousY + 1 : previousY)) {
      x -= 1;
      y -= 1;
      edits.push({ kind: 'same', line: before[x] ?? '' });
    }
    if (down) {
      y -= 1;
      edits.push({ kind: 'insert', line: after[y] ?? '' });
    } else {
      x -= 1;
      edits.push({ kind: 'delete', line: before[x] ?? '' });
    }
    k = previousK;
  }
  while (x > 0 && y > 0) {
    x -= 1;
    y -= 1;
    edits.push({ kind: 'same', line: before[x] ?? '' });
  }
  return edits.reverse();
}

export interface DiffOptions {
  readonly context?: number;
  /** At most this many diff lines are shown; the rest is summarised. */
  readonly maxLines?: number;
  /** Beyond this many changed lines the diff is not computed, only counted roughly. */
  readonly maxEdits?: number;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Unified-diff hunks (`@@ -a,b +c,d @@`, ` `/`-`/`+` lines) of `before` -> `after`, capped. */
export function shortDiff(before: string, after: string, options: DiffOptions = {}): string[] {
  const context = options.context ?? 2;
  const maxLines = options.maxLines ?? 20;
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const edits = editScript(oldLines, newLines, options.maxEdits ?? 2000);
  if (edits === undefined) return [`(too many differences to show: ${oldLines.length} lines before, ${newLines.length} after)`];
  const changed = edits.map((edit) => edit.kind !== 'same');
  const shown: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  let index = 0;
  while (index < edits.length) {
    const nextChange = changed.indexOf(true, index);
    if (nextChange === -1) break;
    const start = Math.max(index, nextChange - context);
    for (let skip = index; skip < start; skip += 1) {
      if (edits[skip]?.kind !== 'insert') oldLine += 1;
      if (edits[skip]?.kind !== 'delete') newLine += 1;
    }
    let end = nextChange;
    while (end < edits.length) {
      const following = changed.indexOf(true, end + 1);
      if (following !== -1 && following - end <= 2 * context) end = following;
      else break;
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const oldCount = hunk.filter((edit) => edit.kind !== 'insert').length;
    const newCount = hunk.filter((edit) => edit.kind !== 'delete').length;
    shown.push(`@@ -${oldLine},${oldCount} +${newLine},${newCount} @@`);
    for (const edit of hunk) shown.push(`${edit.kind === 'same' ? ' ' : edit.kind === 'delete' ? '-' : '+'}${edit.line}`);
    oldLine += oldCount;
    newLine += newCount;
    index = stop;
  }
  if (shown.length <= maxLines) return shown;
  const hidden = edits.filter((edit) => edit.kind !== 'same').length - shown.slice(0, maxLines).filter((line) => /^[-+]/.test(line)).length;
  return [...shown.slice(0, maxLines), `... ${hidden} more changed line${hidden === 1 ? '' : 's'}`];
}
