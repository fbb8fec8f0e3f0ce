/** Server Object, v2 (`url`) and v3 (`host` + `pathname`). */
import type { SecuritySchemeModel, ServerModel, ServerVariableModel } from '../ir.js';
import { asArray, asRecord, asString, entriesOf, isRecord, pointer, toPlainJson } from '../json.js';
import { normalizeBindings } from './bindings.js';

function normalizeVariables(node: unknown): ServerVariableModel[] {
  return entriesOf(node).map(([name, value]) => {
    const variable = asRecord(value);
    const enumValues = asArray(variable['enum']).filter((v): v is string => typeof v === 'string');
    const defaultValue = asString(variable['default']);
    const description = asString(variable['description']);
    return {
      name,
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
      ...(enumValues.length === 0 ? {} : { enum: enumValues }),
      ...(description === undefined ? {} : { description }),
    };
  });
}

function securityScheme(key: string, node: unknown): SecuritySchemeModel {
  const scheme = asRecord(node);
  const details = asRecord(toPlainJson(scheme));
  const description = asString(scheme['description']);
  return {
    key,
    type: asString(scheme['type']) ?? 'unknown',
    ...(description === undefined ? {} : { description }),
    details,
  };
}

/** v3: security entries are scheme objects (refs resolved); v2: requirement maps naming component schemes. */
export function normalizeSecurity(node: unknown, document: Readonly<Record<string, unknown>>, majorVersion: 2 | 3): SecuritySchemeModel[] {
  const components = asRecord(asRecord(document['components'])['securitySchemes']);
  if (majorVersion === 3) {
    return asArray(node).map((entry, index) => {
      const key = entriesOf(components).find(([, scheme]) => scheme === entry)?.[0] ?? `security${index + 1}`;
      return securityScheme(key, entry);
    });
  }
  const schemes: SecuritySchemeModel[] = [];
  for (const requirement of asArray(node)) {
    for (const [name] of entriesOf(requirement)) {
      const scheme = components[name];
      if (isRecord(scheme)) schemes.push(securityScheme(name, scheme));
    }
  }
  return schemes;
}

function splitV2Url(url: string): { host: string; pathname?: string } {
  const withoutScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  if (slash < 0) return { host: withoutScheme };
  const pathname = withoutScheme.slice(slash);
  return { host: withoutScheme.slice(0, slash), ...(pathname === '/' ? {} : { pathname }) };
}

export function normalizeServers(document: Readonly<Record<string, unknown>>, majorVersion: 2 | 3): ServerModel[] {
  return entriesOf(document['servers']).map(([key, value]) => {
    const server = asRecord(value);
    const location =
      majorVersion === 3
        ? { host: asString(server['host']) ?? '', pathname: asString(server['pathname']) }
        : splitV2Url(asString(server['url']) ?? '');
    const protocolVersion = asString(server['protocolVersion']);
    const description = asString(server['description']);
    return {
      key,
      protocol: (asString(server['protocol']) ?? '').toLowerCase(),
      host: location.host,
      ...(location.pathname === undefined ? {} : { pathname: location.pathname }),
      ...(protocolVersion === undefined ? {} : { protocolVersion }),
      ...(description === undefined ? {} : { description }),
      variables: normalizeVariables(server['variables']),
      security: normalizeSecurity(server['security'], document, majorVersion),
      bindings: normalizeBindings(server['bindings']),
      origin: pointer('', 'servers', key),
    };
  });
}
