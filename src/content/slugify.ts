// Sanity's default slugify transliterates Arabic lossily («المتحدث باسم» → "almthdth-basm");
// this one keeps the words readable in the URL.

// Harakat, superscript alef and Quranic marks: vowel signs that do not change the word.
const ARABIC_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]/g
const TATWEEL = /\u0640/g
// Latin accents only: a blanket \p{M} strip would also remove the hamza that NFD splits off أ/إ/ؤ.
const LATIN_ACCENTS = /[\u0300-\u036F]/g
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu

export const SLUG_MAX_LENGTH = 96

export function slugify(text: string, maxLength: number = SLUG_MAX_LENGTH): string {
  const words = text
    .normalize('NFKC')
    .replace(ARABIC_MARKS, '')
    .replace(TATWEEL, '')
    .normalize('NFD')
    .replace(LATIN_ACCENTS, '')
    .normalize('NFC')
    .toLowerCase()
    .split(NOT_LETTER_OR_DIGIT)
    .filter(Boolean)

  let slug = ''
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word
    if (next.length > maxLength) break
    slug = next
  }
  // A single word longer than the limit is cut rather than dropped, so the slug is never empty for non-empty text.
  return slug || (words[0] ?? '').slice(0, maxLength)
}
