/** The npm packages the generated code needs, reported to the user (the code needs nothing from asyncapi-gen). */

export interface PackageRequirement {
  readonly name: string;
  readonly range: string;
  /** Needed only to type-check (devDependency), not at run time. */
  readonly dev: boolean;
  readonly reason: string;
}

const NODE_TYPES: PackageRequirement = {
  name: '@types/node',
  range: '>=20',
  dev: true,
  reason: 'types of the Node.js globals the runtime uses (TextEncoder, setTimeout, crypto)',
};

export function requiredPackages(transports: ReadonlyArray<{ readonly packages: ReadonlyArray<PackageRequirement> }>): PackageRequirement[] {
  const byName = new Map<string, PackageRequirement>([[NODE_TYPES.name, NODE_TYPES]]);
  for (const transport of transports) for (const requirement of transport.packages) byName.set(requirement.name, requirement);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
