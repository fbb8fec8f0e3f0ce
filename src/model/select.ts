/**
 * Include/exclude of operations and channels (from the configuration): the
 * model keeps the operations selected, the channels they use (and channels
 * included by name), and the messages of what is left.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ApiModel, ChannelModel, MessageModel, OperationModel } from './ir.js';

export interface SelectionPatterns {
  /** Globs (`*`, `?`) on operation ids. */
  readonly operations?: ReadonlyArray<string>;
  /** Globs (`*`, `?`) on channel ids or addresses. */
  readonly channels?: ReadonlyArray<string>;
}

export interface Selection {
  readonly include?: SelectionPatterns;
  readonly exclude?: SelectionPatterns;
}

export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((character) => {
    if (character === '*') return '.*';
    if (character === '?') return '.';
    return character.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
  return new RegExp(`^${body}$`, 'u');
}

class PatternList {
  readonly #patterns: ReadonlyArray<{ readonly source: string; readonly regex: RegExp }>;
  readonly #used = new Set<string>();

  constructor(patterns: ReadonlyArray<string> | undefined) {
    this.#patterns = (patterns ?? []).map((source) => ({ source, regex: globToRegExp(source) }));
  }

  get isEmpty(): boolean {
    return this.#patterns.length === 0;
  }

  matches(...candidates: ReadonlyArray<string | null>): boolean {
    let matched = false;
    for (const pattern of this.#patterns) {
      if (candidates.some((candidate) => candidate !== null && pattern.regex.test(candidate))) {
        this.#used.add(pattern.source);
        matched = true;
      }
    }
    return matched;
  }

  unused(): string[] {
    return this.#patterns.map((pattern) => pattern.source).filter((source) => !this.#used.has(source));
  }
}

const channelNames = (channel: ChannelModel): Array<string | null> => [channel.key, channel.address];

export function isEmptySelection(selection: Selection | undefined): boolean {
  const lists = [selection?.include?.operations, selection?.include?.channels, selection?.exclude?.operations, selection?.exclude?.channels];
  return lists.every((list) => list === undefined || list.length === 0);
}

export function selectModel(model: ApiModel, selection: Selection | undefined): { readonly model: ApiModel; readonly diagnostics: Diagnostic[] } {
  if (isEmptySelection(selection)) return { model, diagnostics: [] };
  const includeOperations = new PatternList(selection?.include?.operations);
  const includeChannels = new PatternList(selection?.include?.channels);
  const excludeOperations = new PatternList(selection?.exclude?.operations);
  const excludeChannels = new PatternList(selection?.exclude?.channels);
  const includeAll = includeOperations.isEmpty && includeChannels.isEmpty;

  const channelExcluded = new Map(model.channels.map((channel) => [channel, excludeChannels.matches(...channelNames(channel))]));
  const channelIncluded = new Map(model.channels.map((channel) => [channel, includeChannels.matches(...channelNames(channel))]));
  const operations = model.operations.filter((operation: OperationModel) => {
    const byOperation = includeOperations.matches(operation.key);
    const included = includeAll || byOperation || channelIncluded.get(operation.channel) === true;
    const excluded = excludeOperations.matches(operation.key) || channelExcluded.get(operation.channel) === true;
    return included && !excluded;
  });

  const keptChannels = new Set<ChannelModel>();
  for (const operation of operations) {
    keptChannels.add(operation.channel);
    if (operation.reply?.channel !== undefined) keptChannels.add(operation.reply.channel);
  }
  for (const channel of model.channels) {
    if (!includeAll && channelIncluded.get(channel) === true && channelExcluded.get(channel) !== true) keptChannels.add(channel);
    if (includeAll && channelExcluded.get(channel) !== true && !model.operations.some((operation) => operation.channel === channel)) keptChannels.add(channel);
  }
  const channels = model.channels.filter((channel) => keptChannels.has(channel));

  const usedMessages = new Set<MessageModel>();
  for (const operation of operations) {
    for (const message of operation.messages) usedMessages.add(message);
    for (const message of operation.reply?.messages ?? []) usedMessages.add(message);
  }
  for (const channel of channels) for (const message of channel.messages) usedMessages.add(message);
  const messages = model.messages.filter((message) => usedMessages.has(message));

  const diagnostics: Diagnostic[] = [];
  const unused = [
    ...includeOperations.unused().map((pattern) => `include.operations pattern '${pattern}' matches no operation`),
    ...includeChannels.unused().map((pattern) => `include.channels pattern '${pattern}' matches no channel`),
    ...excludeOperations.unused().map((pattern) => `exclude.operations pattern '${pattern}' matches no operation`),
    ...excludeChannels.unused().map((pattern) => `exclude.channels pattern '${pattern}' matches no channel`),
  ];
  for (const message of unused) {
    diagnostics.push({ severity: 'warning', code: 'selection-unmatched', message, pointer: '', hint: `the document's operations: ${model.operations.map((operation) => operation.key).join(', ') || 'none'}` });
  }
  if (operations.length === 0 && model.operations.length > 0) {
    diagnostics.push({ severity: 'warning', code: 'selection-empty', message: 'include/exclude leave no operation: the generated App and Client are empty', pointer: '' });
  }
  return { model: { ...model, operations, channels, messages }, diagnostics };
}
