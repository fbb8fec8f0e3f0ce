/**
 * Regular expressions from `pattern` and `patternProperties`: checked once at
 * generation time so that a bad pattern becomes a diagnostic, never a crash of
 * the generated module.
 */

export interface CompiledPattern {
  readonly source: string;
  /** `'u'` as JSON Schema intends; `''` for patterns that only parse without it. */
  readonly flags: 'u' | '';
}

export class PatternTable {
  readonly #compiled = new Map<string, CompiledPattern | undefined>();

  /** The flags the pattern compiles with, or `undefined` when it is not a valid regular expression. */
  compile(source: string): CompiledPattern | undefined {
    if (this.#compiled.has(source)) return this.#compiled.get(source);
    const compiled = tryFlags(source, 'u') ?? tryFlags(source, '');
    this.#compiled.set(source, compiled);
    return compiled;
  }
}

function tryFlags(source: string, flags: 'u' | ''): CompiledPattern | undefined {
  try {
    new RegExp(source, flags);
    return { source, flags };
  } catch {
    return undefined;
  }
}
