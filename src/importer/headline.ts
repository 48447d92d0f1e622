// Headline formulas: «وزير المالية: …», «حيدر: …», «المتحدث باسم الخارجية: …» name the speaker of
// what follows. Used only when a statement comes before the text names anyone.
import {tokenize} from './arabic'
import {ensurePerson, findMentions, type EntityTable} from './entities'
import {anaphor, byNamePart, parseSpeakerPhrase} from './speakers'

/** The speaker phrase of a «X: …» headline, when X is a short phrase. */
export function headlineFormula(headline: string): string | undefined {
  const m = /^([^:：«»"“”]{2,60}?)\s*[:：]\s*\S/u.exec(headline.replace(/^[|•\s]+/u, ''))
  if (!m) return undefined
  const phrase = m[1]!.trim()
  return phrase.split(/\s+/u).length <= 6 ? phrase : undefined
}

/** Resolve the headline's speaker: someone named in the text, else a new person so named. */
export function headlineSpeaker(table: EntityTable, headline: string, articleKey: string): string | undefined {
  const phrase = headlineFormula(headline)
  if (!phrase) return undefined
  const tokens = tokenize(phrase)
  const mentions = findMentions(table, phrase)
  const parsed = parseSpeakerPhrase(phrase, tokens, 0, mentions)
  if (parsed?.speaker.kind === 'known') return parsed.speaker.id
  const byName = byNamePart(table, phrase)
  if (byName) return byName
  const words = tokens.map((t) => t.key)
  const earlier = anaphor(table, words)
  if (earlier) return earlier
  return ensurePerson(table, {name: phrase, phrase, scope: articleKey})
}
