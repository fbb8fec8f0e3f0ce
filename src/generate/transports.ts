/** Which transports to write: the ones asked for, else one per protocol of the document's servers. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError, type Diagnostic } from '../diagnostics.js';
import type { ServerModel } from '../model/ir.js';
import { RUNTIME_DIR } from '../paths.js';
import { TRANSPORT_PROTOCOLS, transportForProtocol, type TransportProtocol } from './protocols.js';

function isAvailable(transport: TransportProtocol): boolean {
  return existsSync(path.join(RUNTIME_DIR, 'transports', `${transport.name}.ts`));
}

export function chooseTransports(
  servers: ReadonlyArray<ServerModel>,
  requested: ReadonlyArray<string> | undefined,
  diagnostics: Diagnostic[],
): TransportProtocol[] {
  const chosen = new Map<string, TransportProtocol>();
  if (requested !== undefined) {
    for (const name of requested) {
      if (name === 'memory') continue;
      const transport = transportForProtocol(name);
      if (transport === undefined) {
        throw new UserError(`unknown transport '${name}': choose from memory, ${TRANSPORT_PROTOCOLS.map((t) => t.name).join(', ')}`);
      }
      chosen.set(transport.name, transport);
    }
  } else {
    for (const server of servers) {
      const transport = transportForProtocol(server.protocol);
      if (transport === undefined) {
        diagnostics.push({
          severity: 'warning',
          code: 'transport-unsupported',
          message: `server '${server.key}' uses protocol '${server.protocol}', for which asyncapi-gen has no transport; implement the Transport interface of core/transport.ts to use it`,
          pointer: server.origin,
        });
        continue;
      }
      chosen.set(transport.name, transport);
    }
  }
  const available: TransportProtocol[] = [];
  for (const transport of chosen.values()) {
    if (isAvailable(transport)) {
      available.push(transport);
    } else {
      diagnostics.push({
        severity: 'warning',
        code: 'transport-unavailable',
        message: `this version of asyncapi-gen does not yet write a ${transport.name} transport; use the memory transport or implement core/transport.ts`,
      });
    }
  }
  return available.sort((a, b) => a.name.localeCompare(b.name));
}
