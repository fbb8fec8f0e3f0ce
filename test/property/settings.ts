/**
 * The property tests' shared settings: a fixed seed and run count, which
 * ASYNCAPI_GEN_PROPERTY_SEED and ASYNCAPI_GEN_PROPERTY_RUNS change to explore further.
 */

function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return value;
}

export const DEFAULT_RUNS = 100;
export const DEFAULT_SEED = 20_260_601;
export const SEED = envInteger('ASYNCAPI_GEN_PROPERTY_SEED') ?? DEFAULT_SEED;
export const RUNS = envInteger('ASYNCAPI_GEN_PROPERTY_RUNS') ?? DEFAULT_RUNS;
