/**
 * The document's servers, as the generated `servers.ts` describes them, and
 * how a transport factory turns them into a connection URL and credentials.
 *
 * Precedence, highest first: the factory's `url` option; the environment
 * variable `ASYNCAPI_<PROTOCOL>_URL` (for example `ASYNCAPI_NATS_URL`); the
 * chosen server of the document (`server` option, else the first one of the
 * protocol) with its variables filled from `ASYNCAPI_SERVER_<SERVER>_<VARIABLE>`,
 * else their defaults. Credentials come from the URL, else from
 * `ASYNCAPI_<PROTOCOL>_USER`, `_PASSWORD`, `_TOKEN`.
 */
import type { BindingsByProtocol } from './transport.js';

export interface ServerVariableDefinition {
  readonly default?: string;
  readonly enum?: ReadonlyArray<string>;
  readonly description?: string;
}

export interface SecuritySchemeDefinition {
  /** Key of the scheme under components.securitySchemes. */
  readonly name: string;
  /** AsyncAPI security type: `userPassword`, `plain`, `scramSha256`, `X509`, `httpApiKey`, ... */
  readonly type: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ServerDefinition {
  /** Key of the server in the document. */
  readonly name: string;
  readonly protocol: string;
  readonly protocolVersion?: string;
  /** `host[:port]`, may contain `{variables}`. */
  readonly host: string;
  readonly pathname?: string;
  readonly variables: Readonly<Record<string, ServerVariableDefinition>>;
  readonly security: ReadonlyArray<SecuritySchemeDefinition>;
  readonly bindings?: BindingsByProtocol;
}

export interface ServerSelection {
  /** A URL overriding the document, for example `nats://127.0.0.1:4222`. */
  readonly url?: string;
  /** The name of one of the document's servers. */
  readonly server?: string;
}

export interface ResolvedServer {
  /** The URL to connect to, credentials removed. */
  readonly url: URL;
  /** The document's server it came from, when it came from one. */
  readonly server?: ServerDefinition;
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

function environmentKey(...parts: ReadonlyArray<string>): string {
  return parts.map((part) => part.toUpperCase().replace(/[^A-Z0-9]+/g, '_')).join('_');
}

function fillVariables(text: string, server: ServerDefinition, env: Environment): string {
  return text.replace(/\{([^{}]+)\}/g, (_match, name: string) => {
    const variable = server.variables[name];
    const value = env[environmentKey('ASYNCAPI_SERVER', server.name, name)] ?? variable?.default;
    if (value === undefined) {
      throw new Error(
        `server '${server.name}': variable '${name}' has no default; set ${environmentKey('ASYNCAPI_SERVER', server.name, name)}`,
      );
    }
    if (variable?.enum !== undefined && variable.enum.length > 0 && !variable.enum.includes(value)) {
      throw new Error(`server '${server.name}': variable '${name}' must be one of ${variable.enum.join(', ')}, got '${value}'`);
    }
    return value;
  });
}

/** Picks the server a transport connects to and builds its URL. */
export function resolveServer(
  servers: ReadonlyArray<ServerDefinition>,
  protocols: ReadonlyArray<string>,
  defaultScheme: string,
  selection: ServerSelection = {},
  env: Environment = globalThis.process?.env ?? {},
): ResolvedServer {
  const primary = protocols[0] ?? defaultScheme;
  let server: ServerDefinition | undefined;
  if (selection.server !== undefined) {
    server = servers.find((candidate) => candidate.name === selection.server);
    if (server === undefined) {
      throw new Error(`the document has no server named '${selection.server}' (it has: ${servers.map((s) => s.name).join(', ') || 'none'})`);
    }
  }
  const explicitUrl = selection.url ?? (selection.server === undefined ? env[environmentKey('ASYNCAPI', primary, 'URL')] : undefined);
  let url: URL;
  if (explicitUrl !== undefined) {
    url = new URL(explicitUrl.includes('://') ? explicitUrl : `${defaultScheme}://${explicitUrl}`);
  } else {
    server ??= servers.find((candidate) => protocols.includes(candidate.protocol.toLowerCase()));
    if (server === undefined) {
      throw new Error(`no ${primary} server in the document: pass { url } or set ${environmentKey('ASYNCAPI', primary, 'URL')}`);
    }
    const host = fillVariables(server.host, server, env);
    const pathname = server.pathname === undefined ? '' : fillVariables(server.pathname, server, env);
    const scheme = server.protocol.toLowerCase() || defaultScheme;
    url = new URL(`${scheme}://${host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}${pathname}`);
  }
  const username = url.username === '' ? env[environmentKey('ASYNCAPI', primary, 'USER')] : decodeURIComponent(url.username);
  const password = url.password === '' ? env[environmentKey('ASYNCAPI', primary, 'PASSWORD')] : decodeURIComponent(url.password);
  const token = env[environmentKey('ASYNCAPI', primary, 'TOKEN')];
  url.username = '';
  url.password = '';
  return {
    url,
    ...(server === undefined ? {} : { server }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(token === undefined ? {} : { token }),
  };
}
