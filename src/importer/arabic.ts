// Arabic text helpers for matching only. Output text is never normalised: every function that
// finds something returns offsets into the original string.

/** Harakat, tanwin, shadda, sukun, superscript alef and friends (U+064B–U+065F, U+0670). */
export const DIACRITICS = /[\u064B-\u065F\u0670]/
export const TATWEEL = '\u0640'
/** Invisible formatting marks that may sit inside words (ZWNJ, ZWJ, LRM, RLM, ALM). */
const INVISIBLE = /[\u200B-\u200F\u061C\u2066-\u2069\uFEFF]/

const FOLD: Record<string, string> = {
  'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه', 'ؤ': 'و', 'ئ': 'ي', 'ی': 'ي', 'ک': 'ك',
}

/** Spelling variants the sources use for the same word, folded after character folding (same length). */
const VARIANTS: ReadonlyArray<[RegExp, string]> = [[/اميرك/g, 'امريك']]

export interface Folded {
  /** The folded text. */
  text: string
  /** map[i] = index in the original string of folded character i; map[text.length] = original length. */
  map: number[]
}

function isSkipped(ch: string): boolean {
  return DIACRITICS.test(ch) || ch === TATWEEL || INVISIBLE.test(ch)
}

/**
 * Fold a string for matching: drop diacritics, tatweel and invisible marks, unify alef/hamza forms,
 * ى→ي, ة→ه, lower-case Latin, any whitespace → a space, الأميركية → الأمريكية. Keeps an index map back.
 */
export function fold(original: string): Folded {
  let text = ''
  const map: number[] = []
  for (let i = 0; i < original.length; i++) {
    const ch = original[i] as string
    if (isSkipped(ch)) continue
    const mapped = /\s/.test(ch) ? ' ' : (FOLD[ch] ?? ch.toLowerCase())
    // keep one folded character per kept original character, so the map stays exact
    text += mapped.length === 1 ? mapped : ch
    map.push(i)
  }
  map.push(original.length)
  for (const [re, to] of VARIANTS) text = text.replace(re, to)
  return {text, map}
}

/** Light folding: drop diacritics, tatweel and invisible marks; أ إ آ ٱ → ا. ى and ة stay. */
export function lightKey(text: string): string {
  let out = ''
  for (const ch of text) if (!isSkipped(ch)) out += /[أإآٱ]/.test(ch) ? 'ا' : ch
  return out.trim()
}

/** Folded form for comparing words and phrases: folded, spaces collapsed, trimmed. */
export function foldKey(text: string): string {
  return fold(text).text.replace(/ +/g, ' ').trim()
}

export const isArabicLetter = (ch: string): boolean => /[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]/.test(ch)

/** A token: a run of non-space characters, with its word core (punctuation stripped) and folded core. */
export interface Token {
  start: number
  end: number
  raw: string
  coreStart: number
  coreEnd: number
  /** Folded word core. */
  key: string
  /** Word core with only diacritics, tatweel and hamza-on-alef folded: keeps على apart from علي. */
  light: string
  /** Punctuation right after the core, e.g. "،" or ":" or "”." */
  trail: string
  /** Punctuation right before the core, e.g. "«". */
  lead: string
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}\u0640]/u

export function tokenize(line: string): Token[] {
  const tokens: Token[] = []
  const re = /\S+/g
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const start = m.index
    const end = start + m[0].length
    let coreStart = start
    let coreEnd = end
    while (coreStart < coreEnd && !WORD_CHAR.test(line[coreStart] as string)) coreStart++
    while (coreEnd > coreStart && !WORD_CHAR.test(line[coreEnd - 1] as string)) coreEnd--
    tokens.push({
      start,
      end,
      raw: m[0],
      coreStart,
      coreEnd,
      key: foldKey(line.slice(coreStart, coreEnd)),
      light: lightKey(line.slice(coreStart, coreEnd)),
      trail: line.slice(coreEnd, end),
      lead: line.slice(start, coreStart),
    })
  }
  return tokens
}

/** Folded key without a leading conjunction و/ف, when what remains is in the set. */
export function stripConjunction(key: string, set: ReadonlySet<string>): string | undefined {
  if (set.has(key)) return key
  if ((key.startsWith('و') || key.startsWith('ف')) && set.has(key.slice(1))) return key.slice(1)
  return undefined
}

/** Words given in natural spelling → folded set. */
export const foldedSet = (words: readonly string[]): Set<string> => new Set(words.map(foldKey))

/** Is the folded word definite (ال…, لل…)? */
export const isDefinite = (key: string): boolean => key.startsWith('ال') || key.startsWith('لل')
