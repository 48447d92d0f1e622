// HTML built with a tagged template that escapes every value unless it is already Html:
// the one way pages put text into markup, so no field can smuggle tags or attributes in.
import {escapeHTML} from '@portabletext/to-html'
import {directionOfLanguage} from '../content/rules'

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Markup that is already safe (made by html`` or by the Portable Text renderer). */
export const raw = (value: string): Html => new Html(value)

type Value = Html | string | number | null | undefined | false | readonly Value[]

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHTML(String(value))
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] as string)
  })
  return new Html(out)
}

/** `lang` and `dir` for an element holding text in `language` (default Arabic). */
export function langAttrs(language: string | null | undefined): Html {
  const lang = language || 'ar'
  return html`lang="${lang}" dir="${directionOfLanguage(lang)}"`
}

/** ` data-sanity="…"` when an edit attribute is given (preview only), else nothing. */
export function editAttr(value: string | undefined): Html {
  return value ? html` data-sanity="${value}"` : raw('')
}

/** JSON for a <script type="application/ld+json">: `<` escaped so no text can close the element. */
export function jsonScript(data: unknown): Html {
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return raw(`<script type="application/ld+json">${json}</script>`)
}
