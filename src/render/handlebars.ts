/**
 * Stage 5: templates become text. An isolated Handlebars environment with
 * HTML escaping off (it is wrong for code: every spec string was escaped for
 * its place when the view was built), strict lookups, and only known helpers.
 * The templates and partials come from `templates/`, each one replaceable by a
 * file of the same name in a custom folder (see `template-set.ts`).
 */
import Handlebars from 'handlebars';
import { UserError } from '../diagnostics.js';
import type { RenderJob } from '../view/model.js';
import { loadTemplateSet, type TemplateSource, type TemplateSet } from './template-set.js';

type TemplateName = RenderJob['template'];
type CompiledTemplate = (view: unknown) => string;

function failure(source: TemplateSource, error: unknown): UserError {
  const detail = error instanceof Error ? error.message : String(error);
  return new UserError(`template ${source.file}${source.custom ? ' (custom)' : ''}: ${detail.replace(/\s+/g, ' ').trim()}`);
}

export class TemplateRenderer {
  readonly #environment = Handlebars.create();
  readonly #templates = new Map<TemplateName, CompiledTemplate>();
  readonly #set: TemplateSet;
  readonly #knownHelpers: Record<string, true>;

  constructor(set: TemplateSet) {
    this.#set = set;
    for (const [name, helper] of Object.entries(set.helpers)) this.#environment.registerHelper(name, helper);
    this.#knownHelpers = Object.fromEntries(Object.keys(set.helpers).map((helper) => [helper, true as const]));
    for (const [name, source] of set.partials) {
      this.#environment.registerPartial(name, this.#compile(source));
    }
  }

  /** The renderer of the built-in templates, with `customDir`'s files, partials and helpers on top. */
  static async create(customDir?: string): Promise<TemplateRenderer> {
    return new TemplateRenderer(await loadTemplateSet(customDir));
  }

  #compile(source: TemplateSource): Handlebars.TemplateDelegate {
    let compiled: Handlebars.TemplateDelegate;
    try {
      compiled = this.#environment.compile(source.text, {
        noEscape: true,
        strict: true,
        knownHelpersOnly: true,
        knownHelpers: this.#knownHelpers,
      });
    } catch (error) {
      throw failure(source, error);
    }
    return (view: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        return compiled(view, options);
      } catch (error) {
        throw failure(source, error);
      }
    };
  }

  #template(name: TemplateName): CompiledTemplate {
    const cached = this.#templates.get(name);
    if (cached !== undefined) return cached;
    const source = this.#set.templates.get(name);
    if (source === undefined) throw new Error(`no template named ${name}`);
    const compiled = this.#compile(source);
    const template: CompiledTemplate = (view) => compiled(view);
    this.#templates.set(name, template);
    return template;
  }

  /** Where the template of `name` was read from. */
  sourceOf(name: TemplateName): TemplateSource {
    const source = this.#set.templates.get(name);
    if (source === undefined) throw new Error(`no template named ${name}`);
    return source;
  }

  render(job: RenderJob): string {
    return this.#template(job.template)(job.view);
  }
}
