/**
 * The configuration file: `asyncapi-gen.config.{json,yaml,yml,mjs,ts}` or the "asyncapi-gen" key of
 * package.json, found from the working directory upward or named with --config.
 */
export { defineConfig } from './define.js';
export { findConfig } from './discover.js';
export { loadConfig } from './load.js';
export {
  CONFIG_FILE_NAMES,
  JOB_KEYS,
  PACKAGE_JSON_KEY,
  SELECTION_KEYS,
  TOP_LEVEL_KEYS,
  TRANSPORT_NAMES,
  VALIDATE_MODES,
} from './types.js';
export type {
  AsyncApiGenConfig,
  AsyncApiGenConfigExport,
  JobConfig,
  LoadedConfig,
  ResolvedJob,
  ResolvedSelection,
  JobSelection,
  TransportName,
  ValidateMode,
} from './types.js';
