/**
 * `$ref` chains that loop without ever reaching a value (`a.yaml` is only a
 * `$ref` to `b.yaml`, which is only a `$ref` back to `a.yaml`). Recursive
 * schemas are fine; a pure loop of references has no meaning, and
 * @asyncapi/parser 3.x spins forever on one, so it is stopped here.
 */
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { RefSite } from './ref-scan.js';

function keyOf(file: string, segments: ReadonlyArray<string>): string {
  return `${file}\u0000${segments.join('\u0000')}`;
}

export function refCycles(sites: ReadonlyArray<RefSite>): Diagnostic[] {
  const byObject = new Map<string, RefSite>();
  for (const site of sites) byObject.set(keyOf(site.file, site.path), site);
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const start of sites) {
    const chain: RefSite[] = [];
    const seen = new Set<string>();
    let current: RefSite | undefined = start;
    while (current !== undefined && current.target.kind === 'file') {
      const key = keyOf(current.file, current.path);
      if (seen.has(key)) {
        const loop = chain.slice(chain.findIndex((site) => keyOf(site.file, site.path) === key));
        const loopKey = loop.map((site) => keyOf(site.file, site.path)).sort().join('|');
        if (!reported.has(loopKey)) {
          reported.add(loopKey);
          const first = loop[0] ?? current;
          const steps = [...loop, first].map((site) => `${path.basename(site.file)}#/${site.path.join('/')}`).join(' -> ');
          diagnostics.push({
            severity: 'error',
            code: 'ref-cycle',
            message: `$ref "${first.ref}" starts a loop of references that never reaches a value: ${steps}`,
            location: first.location,
            hint: 'One of these places must hold the object itself instead of a $ref.',
          });
        }
        break;
      }
      seen.add(key);
      chain.push(current);
      current = byObject.get(keyOf(current.target.file, current.target.pointer));
    }
  }
  return diagnostics;
}
