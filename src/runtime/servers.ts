/**
 * Stand-in for the generated `servers.ts`, so that the transports in this
 * folder type-check on their own. It is never copied into the output: the
 * generator writes the real one from the document.
 */
import type { ServerDefinition } from './core/servers.js';

export const servers: ReadonlyArray<ServerDefinition> = [];
