/**
 * The view model: everything the templates print, precomputed. Templates only
 * loop over these lists, test the flags and print the strings; every string
 * that came from the document is already escaped for where it lands
 * (`*Literal` fields are TypeScript string literals, `*Doc` fields are complete
 * JSDoc blocks or empty strings, `*Type` fields are TypeScript type expressions).
 * Custom templates receive exactly this shape.
 */
import type { HandlerStubView, ServiceView } from '../scaffold/views.js';

export type { HandlerStubView, ServiceHandlerView, ServiceView } from '../scaffold/views.js';

export interface BannerView {
  /** The banner comment, one or more `//` lines (no trailing newline). */
  readonly text: string;
}

export interface ChannelView {
  /** Exported constant holding the channel helper, e.g. `userSignupChannel`. */
  readonly helperName: string;
  readonly doc: string;
  /** The address template as a string literal. */
  readonly addressLiteral: string;
  /** Type of the parameters record, e.g. `UserSignupParams`; `Record<string, never>` when none. */
  readonly paramsType: string;
  readonly hasParameters: boolean;
  /** The params type declaration (`export type X = { ... };`), empty when there are no parameters. */
  readonly paramsDeclaration: string;
  /** The parameters array literal for the channel descriptor. */
  readonly parametersLiteral: string;
  /** `, bindings: { ... }` for the channel definition, or empty. */
  readonly bindingsField: string;
}

export interface MessageView {
  /** Constant holding the message descriptor, e.g. `userSignedUpMessage`. */
  readonly constName: string;
  /** The descriptor's object literal. */
  readonly descriptorLiteral: string;
}

export interface OperationSideView {
  /** The member declaration in the App or Client interface (with JSDoc). */
  readonly signature: string;
  /** The property in the object literal returned by createApp/createClient. */
  readonly implementation: string;
}

export interface OperationView {
  readonly methodName: string;
  /** Constant holding the operation descriptor. */
  readonly constName: string;
  readonly descriptorLiteral: string;
  /** Exported envelope type declarations used by this operation's methods. */
  readonly typeDeclarations: ReadonlyArray<string>;
  readonly app: OperationSideView;
  readonly client: OperationSideView;
}

export interface ImportView {
  /** Module specifier as a string literal, e.g. `'./types.js'`. */
  readonly fromLiteral: string;
  /** Names imported (may include `type X` entries). */
  readonly names: ReadonlyArray<string>;
  readonly typeOnly: boolean;
}

export interface IndexView {
  readonly banner: BannerView;
  readonly title: string;
  readonly doc: string;
  readonly imports: ReadonlyArray<ImportView>;
  readonly messages: ReadonlyArray<MessageView>;
  readonly operations: ReadonlyArray<OperationView>;
  readonly hasOperations: boolean;
  /** The validation mode used when the caller passes none, as a string literal, e.g. `'both'`. */
  readonly defaultValidateLiteral: string;
  /** The options expression handed to the runtime: `options`, or `options` with that default applied. */
  readonly runtimeOptionsExpression: string;
}

export interface TypesView {
  readonly banner: BannerView;
  /** Declarations from the schema compiler (payloads, headers, shared schemas). */
  readonly schemaDeclarations: string;
  readonly channels: ReadonlyArray<ChannelView>;
}

export interface ChannelsView {
  readonly banner: BannerView;
  readonly imports: ReadonlyArray<ImportView>;
  readonly channels: ReadonlyArray<ChannelView>;
}

export interface ValidatorsView {
  readonly banner: BannerView;
  /** The whole validators module body from the schema compiler. */
  readonly module: string;
}

export interface ServersView {
  readonly banner: BannerView;
  /** One `ServerDefinition` object literal per server of the document, in document order. */
  readonly servers: ReadonlyArray<{ readonly doc: string; readonly literal: string }>;
}

/** One template, the file it renders to, and the view it receives. */
export type RenderJob =
  | { readonly template: 'index'; readonly path: string; readonly view: IndexView }
  | { readonly template: 'types'; readonly path: string; readonly view: TypesView }
  | { readonly template: 'channels'; readonly path: string; readonly view: ChannelsView }
  | { readonly template: 'validators'; readonly path: string; readonly view: ValidatorsView }
  | { readonly template: 'servers'; readonly path: string; readonly view: ServersView }
  | { readonly template: 'service'; readonly path: string; readonly view: ServiceView }
  | { readonly template: 'handler'; readonly path: string; readonly view: HandlerStubView };
