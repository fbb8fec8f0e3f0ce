/**
 * Small helpers for emitting validator code: lines and indentation, JSON
 * pointer expressions built lazily (only when an issue is reported), and
 * finding whether generated code uses a local name.
 */
import { stringLiteral } from '../render/escape.js';
import { escapePointerSegment } from './naming.js';

export function indent(lines: ReadonlyArray<string>, by = '  '): string[] {
  return lines.map((line) => (line === '' ? line : by + line));
}

/** `open` + indented body + `close`, or nothing when the body is empty. */
export function block(open: string, body: ReadonlyArray<string>, close = '}'): string[] {
  return body.length === 0 ? [] : [open, ...indent(body), close];
}

type PathPart = { readonly literal: string } | { readonly expression: string };

/**
 * A JSON pointer as an expression: the checker's `path` parameter plus
 * segments known at generation time or computed at run time (array indices,
 * dynamic keys). Rendered only inside `core.addIssue(...)`, so valid data never
 * pays for building it.
 */
export class PathExpr {
  static readonly root = new PathExpr([{ expression: 'path' }]);

  private constructor(private readonly parts: ReadonlyArray<PathPart>) {}

  /** A child with a key known now (escaped per RFC 6901 here). */
  child(segment: string): PathExpr {
    return new PathExpr([...this.parts, { literal: `/${escapePointerSegment(segment)}` }]);
  }

  /** A child with an array index expression. */
  index(expression: string): PathExpr {
    return new PathExpr([...this.parts, { literal: '/' }, { expression }]);
  }

  /** A child with a property-name expression (escaped at run time). */
  key(expression: string): PathExpr {
    return new PathExpr([...this.parts, { literal: '/' }, { expression: `core.pointerSegment(${expression})` }]);
  }

  render(): string {
    const merged: PathPart[] = [];
    for (const part of this.parts) {
      const last = merged[merged.length - 1];
      if ('literal' in part && last !== undefined && 'literal' in last) {
        merged[merged.length - 1] = { literal: last.literal + part.literal };
      } else {
        merged.push(part);
      }
    }
    return merged.map((part) => ('literal' in part ? stringLiteral(part.literal) : part.expression)).join(' + ');
  }
}

/** Every string literal in generated code is single-quoted by `stringLiteral`, one line, escapes only. */
const STRING_LITERAL = /'(?:[^'\\\n]|\\.)*'/g;

/** Whether generated code mentions `name` as an identifier (not inside a string literal). */
export function usesIdentifier(lines: ReadonlyArray<string>, name: string): boolean {
  const pattern = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`);
  return lines.some((line) => pattern.test(line.replace(STRING_LITERAL, "''")));
}
