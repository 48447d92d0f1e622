// Body lines → their style: a paragraph, or an h2 subheading (anatomy.ts decides which lines are body).
import {foldKey, stripConjunction} from './arabic'
import type {PageLine} from './page'
import {VERB_KEYS} from './vocabulary'
import type {BlockStyle} from './types'

export interface Paragraph extends PageLine {
  style: Extract<BlockStyle, 'normal' | 'h2'>
}

/** Longest line (in words) still taken as a subheading. */
export const SUBHEADING_MAX_WORDS = 16

/** Sentence-final punctuation: a line ending in it is a paragraph, not a heading. */
const FINAL_PUNCTUATION = /[.!?؟…:؛;,،"”»]$/u
const OPENING_MARK = /[«“„]/u
/** An opening reporting verb, as the statement rules know them. */
const startsWithReportingVerb = (word: string): boolean => stripConjunction(foldKey(word), VERB_KEYS) !== undefined

/** A sentence break inside the line (". " followed by more text). */
const INNER_SENTENCE_BREAK = /[.!?؟]\s+\S/u

/**
 * A subheading is a short line with no final punctuation and no sentence break inside, such as
 * «المتحدث باسم الخارجية الأميركية: نحث كافة الدول على عدم تطوير علاقاتها مع دمشق».
 */
export function isSubheading(line: string): boolean {
  const words = line.split(/\s+/u).filter(Boolean)
  return (
    words.length > 0 &&
    words.length <= SUBHEADING_MAX_WORDS &&
    !FINAL_PUNCTUATION.test(line) &&
    !INNER_SENTENCE_BREAK.test(line) &&
    // an opening quote mark, or a reporting verb first («وقال …»), makes it prose cut short
    !OPENING_MARK.test(line) &&
    !startsWithReportingVerb(words[0] as string)
  )
}
