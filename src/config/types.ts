/**
 * The configuration file format (`asyncapi-gen.config.*` or the `"asyncapi-gen"` key of
 * package.json) and what loading it gives. The key and value lists below are the single source
 * the validator, the JSON Schema test and the messages use.
 */

/** The transports `transports` may name (the `--transport` names). */
export const TRANSPORT_NAMES = ['nats', 'mqtt', 'amqp', 'kafka', 'ws', 'redis'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** Default validation mode of the generated publishers and subscribers. */
export const VALIDATE_MODES = ['both', 'send', 'receive', 'none'] as const;
export type ValidateMode = (typeof VALIDATE_MODES)[number];

/** Operation and channel ids chosen by glob patterns: `*` matches a run of characters, `?` one character. */
export interface JobSelection {
  operations?: string[];
  channels?: string[];
}

export interface JobConfig {
  /** Used in messages; default: the output folder (relative to the config file's folder). */
  name?: string;
  /** The AsyncAPI document, relative to the config file's folder. */
  spec: string;
  /** The folder to write to, relative to the config file's folder. */
  output: string;
  /** Transports to write; default: one per protocol of the document's servers. `[]`: none (only the in-memory one). */
  transports?: TransportName[];
  /** Default validation mode of the generated code; default `both`. */
  validate?: ValidateMode;
  /** Folder of template overrides, relative to the config file's folder. */
  templates?: string;
  /** Only these operations and channels (by id); default: all. */
  include?: JobSelection;
  /** Leave out these operations and channels (by id), even when included. */
  exclude?: JobSelection;
  /** Allow `$ref`s to http(s) URLs to be fetched; default false. */
  allowRemoteRefs?: boolean;
  /**
   * Scaffold a service: one handler module per operation the App receives, in this folder
   * (relative to the config file's folder); written when missing, never overwritten; the output
   * gets `service.ts`, which registers them.
   */
  handlers?: string;
}

export interface AsyncApiGenConfig {
  /** The JSON Schema of this file, for editors (ignored by asyncapi-gen). */
  $schema?: string;
  /** Several generation jobs, or one job given at the top level (`spec`, `output`, ... directly): not both. */
  jobs?: JobConfig[];
  /** Cache parsed documents between runs; default true. */
  cache?: boolean;
  /** Single-job form: see {@link JobConfig.name}. */
  name?: string;
  /** Single-job form: see {@link JobConfig.spec}. */
  spec?: string;
  /** Single-job form: see {@link JobConfig.output}. */
  output?: string;
  /** Single-job form: see {@link JobConfig.transports}. */
  transports?: TransportName[];
  /** Single-job form: see {@link JobConfig.validate}. */
  validate?: ValidateMode;
  /** Single-job form: see {@link JobConfig.templates}. */
  templates?: string;
  /** Single-job form: see {@link JobConfig.include}. */
  include?: JobSelection;
  /** Single-job form: see {@link JobConfig.exclude}. */
  exclude?: JobSelection;
  /** Single-job form: see {@link JobConfig.allowRemoteRefs}. */
  allowRemoteRefs?: boolean;
  /** Single-job form: see {@link JobConfig.handlers}. */
  handlers?: string;
}

/** What a config file may export as its default: the configuration, or a function (possibly async) making it. */
export type AsyncApiGenConfigExport = AsyncApiGenConfig | (() => AsyncApiGenConfig | Promise<AsyncApiGenConfig>);

export interface ResolvedSelection {
  /** Absent: every id. */
  readonly operations?: ReadonlyArray<string>;
  readonly channels?: ReadonlyArray<string>;
}

/** One job with every path absolute and every default applied. */
export interface ResolvedJob {
  readonly name: string;
  readonly spec: string;
  readonly output: string;
  /** Absent: one per protocol of the document's servers. */
  readonly transports?: ReadonlyArray<TransportName>;
  readonly validate: ValidateMode;
  readonly templates?: string;
  readonly include: ResolvedSelection;
  readonly exclude: ResolvedSelection;
  readonly allowRemoteRefs: boolean;
  readonly handlers?: string;
}

export interface LoadedConfig {
  /** Absolute path of the file the configuration was read from (package.json for the key form). */
  readonly file: string;
  readonly jobs: ReadonlyArray<ResolvedJob>;
  readonly cache: boolean;
}

export const JOB_KEYS = [
  'name',
  'spec',
  'output',
  'transports',
  'validate',
  'templates',
  'include',
  'exclude',
  'allowRemoteRefs',
  'handlers',
] as const satisfies ReadonlyArray<keyof JobConfig>;

export const TOP_LEVEL_KEYS = ['$schema', 'jobs', 'cache', ...JOB_KEYS] as const satisfies ReadonlyArray<keyof AsyncApiGenConfig>;

export const SELECTION_KEYS = ['operations', 'channels'] as const satisfies ReadonlyArray<keyof JobSelection>;

/** The key of package.json that holds a configuration. */
export const PACKAGE_JSON_KEY = 'asyncapi-gen';

/** The file names looked for in each folder, besides package.json. */
export const CONFIG_FILE_NAMES = [
  'asyncapi-gen.config.json',
  'asyncapi-gen.config.yaml',
  'asyncapi-gen.config.yml',
  'asyncapi-gen.config.mjs',
  'asyncapi-gen.config.ts',
] as const;

/** Compile-time checks that the key lists above name every field of the interfaces. */
type Exhaustive<Missing extends never> = Missing;
type KeyListsAreComplete = [
  Exhaustive<Exclude<keyof JobConfig, (typeof JOB_KEYS)[number]>>,
  Exhaustive<Exclude<keyof AsyncApiGenConfig, (typeof TOP_LEVEL_KEYS)[number]>>,
  Exhaustive<Exclude<keyof JobSelection, (typeof SELECTION_KEYS)[number]>>,
];
