/**
 * TypeScript type expressions as text with their precedence, so that unions,
 * intersections and array suffixes are parenthesised exactly where needed.
 */

export const Precedence = {
  Union: 0,
  Intersection: 1,
  /** Keywords, names, literals, object literals, tuples, `T[]`. */
  Primary: 2,
} as const;
export type Precedence = (typeof Precedence)[keyof typeof Precedence];

export interface TypeExpr {
  readonly text: string;
  readonly precedence: Precedence;
  /** A `{ ... }` object literal, which can become an `interface`. */
  readonly objectLiteral?: boolean;
}

export const UNKNOWN: TypeExpr = { text: 'unknown', precedence: Precedence.Primary };
export const NEVER: TypeExpr = { text: 'never', precedence: Precedence.Primary };
export const NULL: TypeExpr = { text: 'null', precedence: Precedence.Primary };

export function primary(text: string): TypeExpr {
  return { text, precedence: Precedence.Primary };
}

/** The expression's text, parenthesised when it binds looser than `at`. */
export function wrap(expr: TypeExpr, at: Precedence): string {
  return expr.precedence < at ? `(${expr.text})` : expr.text;
}

export function arrayOf(element: TypeExpr): TypeExpr {
  return primary(`${wrap(element, Precedence.Primary)}[]`);
}

export function union(members: ReadonlyArray<TypeExpr>): TypeExpr {
  const kept = dedupe(members.filter((m) => m.text !== 'never'));
  if (kept.some((m) => m.text === 'unknown')) return UNKNOWN;
  if (kept.length === 0) return NEVER;
  if (kept.length === 1) return kept[0] ?? NEVER;
  return { text: kept.map((m) => m.text).join(' | '), precedence: Precedence.Union };
}

export function intersection(members: ReadonlyArray<TypeExpr>): TypeExpr {
  const kept = dedupe(members.filter((m) => m.text !== 'unknown'));
  if (kept.some((m) => m.text === 'never')) return NEVER;
  if (kept.length === 0) return UNKNOWN;
  if (kept.length === 1) return kept[0] ?? UNKNOWN;
  return { text: kept.map((m) => wrap(m, Precedence.Intersection)).join(' & '), precedence: Precedence.Intersection };
}

function dedupe(members: ReadonlyArray<TypeExpr>): TypeExpr[] {
  const seen = new Set<string>();
  return members.filter((m) => {
    if (seen.has(m.text)) return false;
    seen.add(m.text);
    return true;
  });
}
