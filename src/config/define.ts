import type { AsyncApiGenConfig } from './types.js';

/**
 * Returns its argument: it only gives editors the configuration's type, for completion and
 * checking in `asyncapi-gen.config.ts` / `.mjs`:
 *
 * ```ts
 * import { defineConfig } from 'asyncapi-gen';
 * export default defineConfig({ spec: 'asyncapi.yaml', output: 'src/generated' });
 * ```
 */
export function defineConfig(config: AsyncApiGenConfig): AsyncApiGenConfig;
export function defineConfig(config: () => AsyncApiGenConfig | Promise<AsyncApiGenConfig>): () => AsyncApiGenConfig | Promise<AsyncApiGenConfig>;
export function defineConfig<T>(config: T): T {
  return config;
}
