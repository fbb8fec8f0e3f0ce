/**
 * Strict JSON syntax checking with the offset of the first error. `JSON.parse` decides whether the
 * text is valid (it is fast); only when it is not do we scan the text ourselves to find where,
 * because V8 does not always say (`Unexpected token 'x', "..." is not valid JSON`).
 */

export interface JsonSyntaxError {
  readonly offset: number;
  readonly message: string;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return new JsonScanner(text).firstError() ?? { offset: 0, message: 'invalid JSON' };
  }
}

type Container = 'object' | 'array';

/** An iterative (stack-safe) JSON grammar walker that stops at the first error. */
class JsonScanner {
  private offset = 0;
  private readonly stack: Container[] = [];

  constructor(private readonly text: string) {}

  firstError(): JsonSyntaxError | undefined {
    try {
      this.scanDocument();
      return undefined;
    } catch (error) {
      if (error instanceof ScanError) return { offset: error.offset, message: error.message };
      throw error;
    }
  }

  private scanDocument(): void {
    this.skipWhitespace();
    if (this.atEnd()) this.fail('the file has no JSON value');
    this.scanValue();
    this.skipWhitespace();
    if (!this.atEnd()) this.fail(`unexpected ${this.describeCurrent()} after the end of the JSON value`);
  }

  /** Scans one value; containers are tracked on `stack` instead of recursing. */
  private scanValue(): void {
    for (;;) {
      // The cursor is where a value must start.
      this.skipWhitespace();
      if (this.scanValueStart() === 'opened') continue;
      // A value is complete: consume separators and closers until the next value must start.
      for (;;) {
        const container = this.stack[this.stack.length - 1];
        if (container === undefined) return;
        this.skipWhitespace();
        if (this.current() === ',') {
          this.offset++;
          if (container === 'object') this.scanMemberKey();
          break;
        }
        const closer = container === 'object' ? '}' : ']';
        if (this.current() !== closer) this.fail(`expected ',' or '${closer}', found ${this.describeCurrent()}`);
        this.offset++;
        this.stack.pop();
      }
    }
  }

  /** Scans a scalar or an empty container ('complete'), or opens a non-empty one ('opened'). */
  private scanValueStart(): 'opened' | 'complete' {
    const char = this.current();
    if (char === '{' || char === '[') {
      const closer = char === '{' ? '}' : ']';
      this.offset++;
      this.skipWhitespace();
      if (this.current() === closer) {
        this.offset++;
        return 'complete';
      }
      if (char === '{') {
        this.stack.push('object');
        this.scanMemberKey();
      } else {
        this.stack.push('array');
      }
      return 'opened';
    }
    if (char === '"') {
      this.scanString();
      return 'complete';
    }
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      this.scanNumber();
      return 'complete';
    }
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.offset)) {
        this.offset += literal.length;
        return 'complete';
      }
    }
    return this.fail(
      this.atEnd() ? 'unexpected end of the file, a value was expected' : `unexpected ${this.describeCurrent()}, a value was expected`,
    );
  }

  /** Scans `"name" :` of an object member, leaving the cursor before its value. */
  private scanMemberKey(): void {
    this.skipWhitespace();
    if (this.current() !== '"') this.fail(`expected a double-quoted property name, found ${this.describeCurrent()}`);
    this.scanString();
    this.skipWhitespace();
    if (this.current() !== ':') this.fail(`expected ':' after the property name, found ${this.describeCurrent()}`);
    this.offset++;
  }

  private scanString(): void {
    const start = this.offset;
    this.offset++;
    for (;;) {
      const code = this.text.charCodeAt(this.offset);
      if (Number.isNaN(code)) this.fail('unterminated string', start);
      if (code === 0x22) {
        this.offset++;
        return;
      }
      if (code < 0x20) this.fail('control character (such as a line break) inside a string');
      if (code === 0x5c) {
        const escape = this.text[this.offset + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))) this.fail('bad \\u escape in a string');
          this.offset += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) this.fail('bad escape in a string');
        this.offset += 2;
        continue;
      }
      this.offset++;
    }
  }

  private scanNumber(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.offset, this.offset + 400));
    if (match === null) this.fail('bad number');
    this.offset += match[0].length;
  }

  private skipWhitespace(): void {
    while (this.offset < this.text.length) {
      const char = this.text[this.offset];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return;
      this.offset++;
    }
  }

  private current(): string | undefined {
    return this.text[this.offset];
  }

  private atEnd(): boolean {
    return this.offset >= this.text.length;
  }

  private describeCurrent(): string {
    const char = this.current();
    if (char === undefined) return 'end of the file';
    if (char === '\n' || char === '\r') return 'a line break';
    return `'${char}'`;
  }

  private fail(message: string, offset = this.offset): never {
    throw new ScanError(message, offset);
  }
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
