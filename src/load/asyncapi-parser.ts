/**
 * The @asyncapi/parser instance for one load: one that refuses remote `$ref`s, or one that fetches them.
 */
import type { Parser } from '@asyncapi/parser';
import { shareCompiledSchemas } from './shared-schemas.js';
import { parserModules } from './vendor/parser-modules.js';

/**
 * Served in place of a refused remote document. The resolver tries every reader registered for a
 * scheme until one returns a string, so throwing would let the built-in http reader fetch anyway;
 * returning text that is neither valid JSON nor YAML stops the fetch and makes the `$ref` fail.
 */
const REFUSED_REMOTE_CONTENT = '{ "asyncapi-gen": "remote $ref refused"';

/**
 * A new parser for each load: construction is cheap after the first (the ruleset is shared).
 * `readText` serves the files the load already read: the parser then sees exactly the bytes the
 * cache key was made of, and resolves without disk reads whose completion order (under load) would
 * change which of two equal objects the resolver keeps. Files it does not know are read from disk,
 * and remote documents fetched when allowed; `onReadBeyond` is told, since no cache key covers them.
 */
export function asyncApiParser(allowRemoteRefs: boolean, readText: (file: string) => string | undefined, onReadBeyond: (href: string, decoded: string) => void = () => {}): Parser {
  const { Parser, AvroSchemaParser, OpenAPISchemaParser } = parserModules();
  shareCompiledSchemas();
  const refuse = (): string => REFUSED_REMOTE_CONTENT;
  const fromMemory = (uri: { href(): string }): string | undefined => {
    const href = uri.href();
    const decoded = safelyDecoded(href);
    const text = readText(href) ?? readText(decoded);
    // The parser's own reader takes over: a file no hash of this load covers.
    if (text === undefined) onReadBeyond(href, decoded);
    return text;
  };
  // Tried first, answers nothing: only says that the parser is about to fetch.
  const noteFetch = (uri: { href(): string }): undefined => {
    onReadBeyond(uri.href(), uri.href());
    return undefined;
  };
  return new Parser({
    schemaParsers: [AvroSchemaParser(), OpenAPISchemaParser()],
    __unstable: {
      resolver: {
        // The resolver's cache keeps a file read once per parser as one object, so a schema
        // referenced from several files stays one object (emitted once). Each load gets its own
        // parser (cheap after the first), so an edited file is never served stale.
        cache: true,
        resolvers: [
          { schema: 'file', order: 1, read: fromMemory },
          ...(allowRemoteRefs
            ? [
                { schema: 'http', order: 0, read: noteFetch },
                { schema: 'https', order: 0, read: noteFetch },
              ]
            : [
                { schema: 'http', order: 1, read: refuse },
                { schema: 'https', order: 1, read: refuse },
              ]),
        ],
      },
    },
  });
}

function safelyDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
