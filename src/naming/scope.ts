/**
 * A namespace of generated identifiers. Claims are deterministic: the first
 * claimant (in document order) keeps the name, later ones get a numeric suffix,
 * and every collision is reported with both sources.
 */
import type { Diagnostic } from '../diagnostics.js';

interface Claim {
  readonly source: string;
  readonly origin: string;
}

export class NameScope {
  readonly #kind: string;
  readonly #taken = new Map<string, Claim>();
  readonly #reserved: ReadonlySet<string>;
  readonly #diagnostics: Diagnostic[] | undefined;

  /** Without `diagnostics` the scope is for private names: collisions are resolved without a warning. */
  constructor(kind: string, diagnostics: Diagnostic[] | undefined, reserved: Iterable<string> = []) {
    this.#kind = kind;
    this.#diagnostics = diagnostics;
    this.#reserved = new Set(reserved);
  }

  has(name: string): boolean {
    return this.#taken.has(name) || this.#reserved.has(name);
  }

  /**
   * Claims `name` (already a valid identifier) for `source` (the spec string it
   * came from). Returns the name actually given.
   */
  claim(name: string, source: string, origin: string): string {
    if (!this.has(name)) {
      this.#taken.set(name, { source, origin });
      return name;
    }
    let suffix = 2;
    while (this.has(`${name}${suffix}`)) suffix += 1;
    const given = `${name}${suffix}`;
    this.#taken.set(given, { source, origin });
    if (this.#diagnostics === undefined) return given;
    const previous = this.#taken.get(name);
    const previousText = previous === undefined
      ? `a name the generated code reserves`
      : `'${previous.source}' (${previous.origin || '/'})`;
    this.#diagnostics.push({
      severity: 'warning',
      code: 'naming-collision',
      message: `${this.#kind} '${source}' (${origin || '/'}) and ${previousText} both become '${name}'; the later one is named '${given}'`,
      pointer: origin,
      hint: 'rename one of them in the document to choose the names yourself',
    });
    return given;
  }
}
