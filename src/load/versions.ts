/** The AsyncAPI versions asyncapi-gen reads (all are accepted by the installed @asyncapi/parser 3.6). */
export const SUPPORTED_VERSIONS: ReadonlyArray<string> = [
  '2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.5.0', '2.6.0', '3.0.0', '3.1.0',
];

export type VersionVerdict = 'supported' | 'version-1' | 'unsupported';

export function classifyVersion(version: string): VersionVerdict {
  if (SUPPORTED_VERSIONS.includes(version)) return 'supported';
  if (/^1\.\d+(\.\d+)?([-+].*)?$/.test(version)) return 'version-1';
  return 'unsupported';
}
