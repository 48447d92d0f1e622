// The rules a document must satisfy, shared by the Studio schema (schemas/) and the
// validator that runs outside the Studio (src/content/validate.ts), so both say the same thing.
import {slugify, SLUG_MAX_LENGTH} from './slugify'

/** Languages written right to left, by primary BCP 47 subtag. */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ku', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi'])

export const LINK_SCHEMES = ['http', 'https', 'mailto'] as const

export const messages = {
  required: (label: string) => `${label} is required: fill it in before publishing.`,
  slugForm: `Slug must be lower-case letters (Arabic or Latin) and digits joined by single hyphens, at most ${SLUG_MAX_LENGTH} characters. Use "Generate" to make one from the title.`,
  language:
    'Language must be a BCP 47 code such as "ar", "en" or "ar-SY". Check the spelling of the code.',
  linkScheme: `Links may only use ${LINK_SCHEMES.join(', ')}. Paste the full address, starting with https://.`,
  quoteKind: 'Kind must be "direct" (the speaker\'s own words) or "indirect" (reported speech).',
  speaker: 'Every quote needs a speaker: choose the person or organization who said it.',
  reference: (id: string) =>
    `References document "${id}", which does not exist. Pick an existing document or create it first.`,
  referenceType: (id: string, type: string, allowed: readonly string[]) =>
    `References "${id}" of type "${type}", but only ${allowed.join(' or ')} is allowed here.`,
} as const

/** A slug is in the form slugify() produces: true, or the problem. */
export function checkSlug(current: string | undefined): true | string {
  if (!current) return messages.required('Slug')
  if (current.length > SLUG_MAX_LENGTH || slugify(current) !== current) return messages.slugForm
  return true
}

export function checkLanguage(code: string | undefined): true | string {
  if (!code) return messages.required('Language')
  try {
    const [canonical] = Intl.getCanonicalLocales(code)
    // Intl accepts odd forms such as "root"; require a 2–3 letter primary language subtag.
    return canonical && /^[a-z]{2,3}(-|$)/i.test(canonical) ? true : messages.language
  } catch {
    return messages.language
  }
}

export function checkLinkHref(href: string | undefined): true | string {
  if (!href) return messages.required('Link address')
  return isSafeHref(href) ? true : messages.linkScheme
}

export function isSafeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href.trim())?.[1]?.toLowerCase()
  return scheme !== undefined && (LINK_SCHEMES as readonly string[]).includes(scheme)
}

export type TextDirection = 'rtl' | 'ltr' | 'auto'

export function directionOfLanguage(language: string | undefined): TextDirection {
  if (!language) return 'auto'
  const primary = language.split('-')[0]?.toLowerCase() ?? ''
  // A script subtag overrides the language: ar-Latn is Arabic written in Latin letters.
  if (/-latn(-|$)/i.test(language)) return 'ltr'
  return RTL_LANGUAGES.has(primary) ? 'rtl' : 'ltr'
}

// First strong character decides, as the HTML dir="auto" algorithm does.
const FIRST_STRONG = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]|[\p{L}]/u
const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u

export function directionOfText(text: string | undefined): TextDirection {
  const first = text ? FIRST_STRONG.exec(text)?.[0] : undefined
  if (!first) return 'auto'
  return RTL_SCRIPT.test(first) ? 'rtl' : 'ltr'
}
