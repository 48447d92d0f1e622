// Stable, deterministic keys and ids: the same input always gives the same output.

const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK_64 = 0xffffffffffffffffn
const encoder = new TextEncoder()

/** FNV-1a 64-bit over the UTF-8 bytes of the text, as 16 lower-case hex digits. */
export function hash64(text: string): string {
  let h = FNV_OFFSET
  for (const byte of encoder.encode(text)) {
    h ^= BigInt(byte)
    h = (h * FNV_PRIME) & MASK_64
  }
  return h.toString(16).padStart(16, '0')
}

/** A short hash of several parts (joined unambiguously). */
export function shortHash(parts: readonly (string | number)[], length = 10): string {
  return hash64(parts.map((p) => `${String(p).length}:${p}`).join('|')).slice(0, length)
}

/** Only a-zA-Z0-9_- may appear in ids and keys here (no dots: a dot makes a document non-public). */
export function sanitizeIdPart(text: string): string {
  return text
    .replace(/[^a-zA-Z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
}

/** The source key of a page: the given key (sanitised), else a hash of the text. */
export function sourceKeyFor(text: string, given?: string): string {
  const clean = given === undefined ? '' : sanitizeIdPart(given)
  return clean || hash64(text)
}

export const articleId = (sourceKey: string): string => `article-${sourceKey}`
// Zero-padded so that ordering quotes by _id keeps their order in the article.
export const quoteId = (sourceKey: string, n: number): string => `quote-${sourceKey}-${String(n).padStart(3, '0')}`

/** Key of a body block: from its position and its text. */
export const blockKey = (index: number, text: string): string => `b${shortHash([index, text], 10)}`
export const spanKey = (block: string, index: number): string => `${block}s${index}`
export const markKey = (block: string, kind: 'q' | 'm', index: number): string => `${block}${kind}${index}`

/** Key of an item in a reference array: stable per referenced id. */
export const refKey = (ref: string): string => `r${shortHash([ref], 12)}`

const TRANSLIT: Record<string, string> = {
  'ا': 'a', 'أ': 'a', 'إ': 'i', 'آ': 'a', 'ٱ': 'a', 'ء': '', 'ؤ': 'u', 'ئ': 'i',
  'ب': 'b', 'ت': 't', 'ث': 'th', 'ج': 'j', 'ح': 'h', 'خ': 'kh', 'د': 'd', 'ذ': 'dh',
  'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'sh', 'ص': 's', 'ض': 'd', 'ط': 't', 'ظ': 'z',
  'ع': 'a', 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ك': 'k', 'ل': 'l', 'م': 'm', 'ن': 'n',
  'ه': 'h', 'ة': 'a', 'و': 'w', 'ي': 'y', 'ى': 'a', 'پ': 'p', 'چ': 'ch', 'ڤ': 'v', 'گ': 'g', 'ک': 'k', 'ی': 'y',
  '٠': '0', '١': '1', '٢': '2', '٣': '3', '٤': '4', '٥': '5', '٦': '6', '٧': '7', '٨': '8', '٩': '9',
}

/** A rough Arabic → Latin transliteration, only for building readable ids (never shown as a name). */
export function transliterate(text: string): string {
  let out = ''
  for (const ch of text) {
    const t = TRANSLIT[ch]
    if (t !== undefined) out += t
    else if (/[a-zA-Z0-9]/.test(ch)) out += ch.toLowerCase()
    else if (/[\s\-_]/u.test(ch)) out += '-'
    // anything else (diacritics, tatweel, punctuation) is left out of ids
  }
  return sanitizeIdPart(out).toLowerCase()
}

/** Id for an entity the text names but the newsroom does not know yet: translit plus a hash of the name. */
export function newEntityId(type: 'person' | 'organization', normalizedName: string, displayName: string): string {
  const latin = transliterate(displayName).slice(0, 40).replace(/-$/, '') || 'x'
  return `${type}-${latin}-${shortHash([normalizedName], 6)}`
}
