/** Versions read from package.json files: this package's own, and its dependencies'. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.js';

export const OWN_MANIFEST = path.join(PACKAGE_ROOT, 'package.json');

/** The `version` of the package.json at `manifestPath`, or undefined when it cannot be read. */
export function versionIn(manifestPath: string): string | undefined {
  try {
    const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

let ownVersion: string | undefined;

/** asyncapi-gen's own version. */
export function generatorVersion(): string {
  ownVersion ??= versionIn(OWN_MANIFEST) ?? '0.0.0';
  return ownVersion;
}
