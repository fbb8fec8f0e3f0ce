import type { Diagnostic } from '../../diagnostics.js';
import type { MessageModel } from '../ir.js';
import type { SchemaRestorer } from './trait-copies.js';

/** State shared by the normalisers of one document: identity maps and collected diagnostics. */
export interface NormalizeContext {
  readonly document: Readonly<Record<string, unknown>>;
  readonly majorVersion: 2 | 3;
  readonly defaultContentType: string | undefined;
  /** Message object -> its model, so a message used in several places is one model. */
  readonly messages: Map<object, MessageModel>;
  /** Message object -> key under components.messages. */
  readonly componentMessageNames: ReadonlyMap<object, string>;
  /** Puts component schemas back into schemas the parser copied while applying traits. */
  readonly restoreSharedSchemas: SchemaRestorer;
  readonly diagnostics: Diagnostic[];
}

export function warn(context: NormalizeContext, code: string, message: string, pointer: string): void {
  context.diagnostics.push({ severity: 'warning', code, message, pointer });
}
