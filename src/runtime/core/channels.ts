/**
 * Channel helpers: build a concrete address from typed parameters and parse
 * one back into typed parameters. Generated `channels.ts` defines one helper
 * per channel with `defineChannel`.
 */
import { buildAddress, createAddressMatcher } from './address.js';
import type { ChannelDescriptor, ParameterDescriptor } from './operations.js';
import type { BindingsByProtocol } from './transport.js';

export interface ChannelHelper<Params> extends ChannelDescriptor {
  /** Builds the address; parameter values are percent-encoded so they cannot act as separators or wildcards. */
  build(params: Params): string;
  /** Parses an address of this channel back into parameters; undefined when it is not one, or a value is invalid. */
  parse(address: string): Params | undefined;
}

export interface ChannelDefinition {
  readonly address: string;
  readonly parameters: ReadonlyArray<ParameterDescriptor>;
  readonly bindings?: BindingsByProtocol;
}

type ParameterValue = string | number | boolean;

/** Converts a decoded address segment to the parameter's type; undefined when it is not one. */
export function convertParameterText(text: string, kind: ParameterDescriptor['kind']): ParameterValue | undefined {
  switch (kind) {
    case 'string':
      return text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'integer':
    case 'number': {
      if (text.trim() === '') return undefined;
      const value = Number(text);
      if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) return undefined;
      return value;
    }
  }
}

export function defineChannel<Params extends object = Record<string, never>>(definition: ChannelDefinition): ChannelHelper<Params> {
  const match = createAddressMatcher(definition.address);
  return {
    ...definition,
    build(params: Params): string {
      return definition.parameters.length === 0
        ? definition.address
        : buildAddress(definition.address, params as Readonly<Record<string, ParameterValue>>);
    },
    parse(address: string): Params | undefined {
      const raw = match(address);
      if (raw === undefined) return undefined;
      const params: Record<string, ParameterValue> = {};
      for (const parameter of definition.parameters) {
        const text = raw[parameter.name];
        if (text === undefined) return undefined;
        const value = convertParameterText(text, parameter.kind);
        if (value === undefined || (parameter.validate?.(value).length ?? 0) > 0) return undefined;
        params[parameter.name] = value;
      }
      return params as Params;
    },
  };
}
