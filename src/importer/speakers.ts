// Speaker phrases after a reporting cue («وزير الخارجية الفرنسي جان مارك …», «المسؤول الأمريكي»)
// and their resolution to a known or new person or organization.
import {foldKey, isDefinite, stripConjunction, tokenize, type Token} from './arabic'
import {ensureOrganization, ensurePerson, type EntityTable, type Mention} from './entities'
import type {StatementContext} from './context'
import {
  ATTACHED_COMPLEMENTIZER,
  CHAIN_NOUNS,
  CIRCUMSTANTIAL_STARTERS,
  COMPLEMENTIZERS,
  DOCUMENT_NOUNS,
  HONORIFICS,
  NAME_STOP,
  NOT_NAMES,
  ORG_HEADS,
  TITLE_HEADS,
  VERB_KEYS,
} from './vocabulary'


export type PendingSpeaker =
  | {kind: 'known'; id: string}
  | {kind: 'person'; name: string; jobTitle?: string; affiliation?: string; phrase: string}
  | {kind: 'organization'; name: string}
  /** A title with no name («الوزير الفرنسي»): someone already named, else a new person so named. */
  | {kind: 'title'; phrase: string; words: string[]; affiliation?: string}
  /** «البيان»، «التقرير»: the document of the current speaker. */
  | {kind: 'current'}
  /** «الجهاز»، «الوزارة»: an organization named before by its head word, else a new one so named. */
  | {kind: 'orgAnaphor'; word: string}
  /** A bare name with no title («وقال بلينكن»، «أسعد الشيباني، وزير الخارجية السوري»). */
  | {kind: 'name'; name: string; jobTitle?: string; phrase: string}

export interface SpeakerPhrase {
  speaker: PendingSpeaker
  /** Index of the phrase's last token. */
  last: number
}

export const hasTrailingPunctuation = (t: Token): boolean => /[،,:：؛;.!?؟«»“”"]/.test(t.trail)
export const opensWithMark = (t: Token): boolean => /[«“„"]/.test(t.lead)
export const isComplementizer = (t: Token): boolean => COMPLEMENTIZERS.has(t.key) || ATTACHED_COMPLEMENTIZER.test(t.key)

export function mentionAt(mentions: readonly Mention[], t: Token): Mention | undefined {
  return mentions.find((m) => m.start === t.start && m.type !== 'place')
}

export function tokenEndingAt(tokens: readonly Token[], from: number, end: number): number {
  let i = from
  while (i + 1 < tokens.length && (tokens[i + 1] as Token).start < end) i++
  return i
}

/** Consume definite words (ال…/لل…) after index i while no punctuation intervenes. */
export function definiteRun(tokens: readonly Token[], i: number): number {
  let last = i
  while (!hasTrailingPunctuation(tokens[last] as Token)) {
    const next = tokens[last + 1]
    if (!next || !isDefinite(next.key) || opensWithMark(next) || VERB_KEYS.has(next.key)) break
    last++
  }
  return last
}

/** Optional one-word (or chained two-word) complement of an indefinite head: «وزير خارجية فرنسا». */
export function idafa(tokens: readonly Token[], i: number): number {
  const head = tokens[i] as Token
  const next = tokens[i + 1]
  if (hasTrailingPunctuation(head) || !next || opensWithMark(next) || NAME_STOP.has(next.light)) return i
  if (isComplementizer(next) || VERB_KEYS.has(next.key)) return i
  // a definite head («الوزير», «الوزارة») takes adjectives only: «الوزير الفرنسي»
  if (isDefinite(next.key) || isDefinite(head.key)) return definiteRun(tokens, i)
  const afterNext = CHAIN_NOUNS.has(next.key) ? idafa(tokens, i + 1) : i + 1
  return definiteRun(tokens, afterNext)
}

export function parseSpeakerPhrase(
  line: string,
  tokens: readonly Token[],
  j: number,
  mentions: readonly Mention[],
  earlier = '',
): SpeakerPhrase | undefined {
  const first = tokens[j]
  if (!first || opensWithMark(first) || isComplementizer(first) || VERB_KEYS.has(first.key)) return undefined
  const known = mentionAt(mentions, first)
  if (known) {
    let last = tokenEndingAt(tokens, j, known.end)
    // «المتحدث باسم الخارجية الأميركية كريستيان جيمس»: the same person named twice in a row
    for (;;) {
      const next = tokens[last + 1]
      const again = next && !hasTrailingPunctuation(tokens[last] as Token) ? mentionAt(mentions, next) : undefined
      if (!again || again.id !== known.id) break
      last = tokenEndingAt(tokens, last + 1, again.end)
    }
    return {speaker: {kind: 'known', id: known.id}, last}
  }
  const text = (a: number, b: number): string => line.slice((tokens[a] as Token).coreStart, (tokens[b] as Token).coreEnd)
  if (DOCUMENT_NOUNS.has(first.key)) return {speaker: {kind: 'current'}, last: j}
  if (TITLE_HEADS.has(first.key)) {
    const next = tokens[j + 1]
    // «المتحدث باسم وزارة الصحة», «المتحدثة عن الهيئة»
    const byName = next && (next.key === 'باسم' || next.key === 'عن') && !hasTrailingPunctuation(first)
    const titleEnd = byName && tokens[j + 2] && !hasTrailingPunctuation(next) ? idafa(tokens, j + 2) : idafa(tokens, j)
    // a known person named right after the title
    const nameToken = tokens[titleEnd + 1]
    const namedKnown = nameToken && !hasTrailingPunctuation(tokens[titleEnd] as Token) ? mentionAt(mentions, nameToken) : undefined
    if (namedKnown?.type === 'person') {
      return {speaker: {kind: 'known', id: namedKnown.id}, last: tokenEndingAt(tokens, titleEnd + 1, namedKnown.end)}
    }
    // a name may go on with definite words once it has begun: «محمد علي الشمري»
    const nameLike = (t: Token | undefined, started = false): t is Token =>
      !!t &&
      !opensWithMark(t) &&
      !NAME_STOP.has(t.light) &&
      (started || !isDefinite(t.key) || HONORIFICS.has(t.key)) &&
      !isComplementizer(t) &&
      !VERB_KEYS.has(t.key) &&
      !TITLE_HEADS.has(t.key) &&
      stripConjunction(t.key, VERB_KEYS) === undefined &&
      !/^[\p{N}]/u.test(t.key) &&
      !(/^[لب]/.test(t.key) && (isDefinite(t.key.slice(1)) || ORG_HEADS.has(t.key.slice(1))))
    let nameLast = titleEnd
    if (/^[،,]/.test((tokens[titleEnd] as Token).trail)) {
      // apposition: «المتحدثة باسم وزارة الصحة، ليلى حسن، إن …»
      for (let i = titleEnd + 1; i <= titleEnd + 4 && nameLike(tokens[i]); i++) {
        const trail = (tokens[i] as Token).trail
        if (/^[،,]$/.test(trail)) {
          nameLast = i
          break
        }
        if (trail !== '') break
      }
    } else {
      while (
        nameLast - titleEnd < 4 &&
        !hasTrailingPunctuation(tokens[nameLast] as Token) &&
        nameLike(tokens[nameLast + 1], nameLast > titleEnd)
      ) {
        nameLast++
      }
    }
    const affiliation = mentions.find(
      (m) => m.type === 'organization' && m.start >= first.start && m.end <= (tokens[titleEnd] as Token).end,
    )?.id
    if (nameLast > titleEnd) {
      return {
        speaker: {
          kind: 'person',
          name: text(titleEnd + 1, nameLast),
          jobTitle: text(j, titleEnd),
          ...(affiliation ? {affiliation} : {}),
          phrase: text(j, nameLast),
        },
        last: nameLast,
      }
    }
    const words = tokens.slice(j, titleEnd + 1).map((t) => t.key).filter((k) => k !== 'باسم' && k !== 'عن')
    return {
      speaker: {kind: 'title', phrase: text(j, titleEnd), words, ...(affiliation ? {affiliation} : {})},
      last: titleEnd,
    }
  }
  if (ORG_HEADS.has(first.key)) {
    const last = idafa(tokens, j)
    if (last > j) return {speaker: {kind: 'organization', name: text(j, last)}, last}
    if (isDefinite(first.key)) return {speaker: {kind: 'orgAnaphor', word: text(j, j)}, last: j}
  }
  return bareName(line, tokens, j, earlier)
}

/** Could this token be part of a personal name (not a function word, verb, definite noun or preposition)? */
export function nameToken(t: Token | undefined, started: boolean): t is Token {
  return (
    !!t &&
    !opensWithMark(t) &&
    /^\p{Script=Arabic}+$/u.test(t.key.replace(/\s/g, '')) &&
    t.key.length >= 2 &&
    !NAME_STOP.has(t.light) &&
    !CIRCUMSTANTIAL_STARTERS.has(t.key) &&
    (started || !isDefinite(t.key) || HONORIFICS.has(t.key)) &&
    !isComplementizer(t) &&
    !VERB_KEYS.has(t.key) &&
    stripConjunction(t.key, VERB_KEYS) === undefined &&
    !TITLE_HEADS.has(t.key) &&
    !ORG_HEADS.has(t.key) &&
    !DOCUMENT_NOUNS.has(t.key) &&
    !/^(?:بال|لل)/u.test(t.key) &&
    !NOT_NAMES.has(t.key) &&
    !/^(?:هذا|هذه|ذلك|تلك|كل|بعض|جميع|عدد|نحو|اكثر|اقل|مصر|العراق|سوريا|لبنان|الاردن|تركيا|فلسطين|اسراييل|ايران|الحكومه|الدوله|بلاده|بلادها|ان|انه|انها|اننا)$/u.test(t.key)
  )
}

/**
 * A name right after a verb, with no title: one to three name-like words that end where the sentence
 * goes on (a comma, a colon, a preposition, a complementizer, a circumstantial word). A title in
 * apposition after a comma is taken as the job title: «أسعد الشيباني، وزير الخارجية السوري: …».
 */
export function bareName(line: string, tokens: readonly Token[], j: number, earlier = ''): SpeakerPhrase | undefined {
  let last = j - 1
  while (last - j < 2 && nameToken(tokens[last + 1], last >= j) && (last < j || !hasTrailingPunctuation(tokens[last] as Token))) last++
  if (last < j) {
    // «وقال الخزعلي …», «وأكد الحمد الله …»: a definite surname, when the text gave the full name before
    const first = tokens[j]
    if (!first || !isDefinite(first.key) || NAME_STOP.has(first.light) || ORG_HEADS.has(first.key) || TITLE_HEADS.has(first.key)) return undefined
    for (const n of [2, 1]) {
      const end = j + n - 1
      if (!tokens[end] || (n === 2 && hasTrailingPunctuation(first))) continue
      const part = line.slice(first.coreStart, (tokens[end] as Token).coreEnd)
      const full = fullNameBefore(earlier, part)
      if (full) return {speaker: {kind: 'name', name: full, phrase: full}, last: end}
    }
    return undefined
  }
  const after = tokens[last + 1]
  const endTrail = (tokens[last] as Token).trail
  const ends =
    /^[،,:：]/u.test(endTrail) ||
    (after !== undefined && TITLE_HEADS.has(after.key)) ||
    !after ||
    NAME_STOP.has(after.light) ||
    CIRCUMSTANTIAL_STARTERS.has(after.key) ||
    isComplementizer(after) ||
    /^[لب]/u.test(after.key) ||
    opensWithMark(after)
  if (!ends) return undefined
  const text = (a: number, b: number): string => line.slice((tokens[a] as Token).coreStart, (tokens[b] as Token).coreEnd)
  const name = text(j, last)
  // «… الشيباني، وزير الخارجية السوري: …»
  if (after && TITLE_HEADS.has(after.key) && (/^[،,]/u.test(endTrail) || endTrail === '')) {
    const titleEnd = idafa(tokens, last + 1)
    return {speaker: {kind: 'name', name, jobTitle: text(last + 1, titleEnd), phrase: text(j, titleEnd)}, last: titleEnd}
  }
  return {speaker: {kind: 'name', name, phrase: name}, last}
}

export function resolveSpeaker(pending: PendingSpeaker, ctx: StatementContext): string | undefined {
  const {table} = ctx
  switch (pending.kind) {
    case 'known':
      return pending.id
    case 'person':
      return ensurePerson(table, {
        name: pending.name,
        ...(pending.jobTitle ? {jobTitle: pending.jobTitle} : {}),
        ...(pending.affiliation ? {affiliation: pending.affiliation} : {}),
        phrase: pending.phrase,
      })
    case 'organization':
      return ensureOrganization(table, pending.name)
    case 'current':
      return ctx.state.lastSpeaker
    case 'orgAnaphor': {
      const head = stem(foldKey(pending.word))
      for (let i = table.seen.length - 1; i >= 0; i--) {
        const doc = table.entities.get(table.seen[i] as string)?.doc
        if (doc?._type === 'organization' && foldKey(doc.name).split(' ').map(stem).includes(head)) return doc._id
      }
      return ensureOrganization(table, pending.word)
    }
    case 'name': {
      const earlier = byNamePart(table, pending.name)
      if (earlier) return earlier
      return ensurePerson(table, {
        name: pending.name,
        ...(pending.jobTitle ? {jobTitle: pending.jobTitle} : {}),
        phrase: pending.phrase,
      })
    }
    case 'title': {
      const earlier = anaphor(table, pending.words)
      if (earlier) return earlier
      if (pending.words.length > 1) {
        // nameless («مسؤول أمريكي»): one person within this article, not merged across articles
        return ensurePerson(table, {
          name: pending.phrase,
          ...(pending.affiliation ? {affiliation: pending.affiliation} : {}),
          phrase: pending.phrase,
          scope: ctx.articleKey,
        })
      }
      if (ctx.state.lastSpeaker) {
        ctx.warnings.push(`${ctx.where}: «${pending.phrase}» matches no one named before; taken as the last named speaker`)
        return ctx.state.lastSpeaker
      }
      return undefined
    }
  }
}

/** Folded word without the article and the feminine ending: «الوزيرة» → «وزير». */
export const stem = (word: string): string => word.replace(/^(?:ال|لل)/, '').replace(/ه$/, '')

/**
 * «الوزير الفرنسي» after «وزير الخارجية الفرنسي جان مارك»: the most recently named person whose
 * job title or names contain every word of the phrase.
 */
export function anaphor(table: EntityTable, words: readonly string[]): string | undefined {
  const wanted = words.map(stem).filter(Boolean)
  for (let i = table.seen.length - 1; i >= 0; i--) {
    const doc = table.entities.get(table.seen[i] as string)?.doc
    if (!doc || doc._type !== 'person') continue
    const have = new Set(
      [doc.jobTitle, doc.name, ...(doc.aliases ?? [])]
        .filter((f): f is string => !!f)
        .flatMap((f) => foldKey(f).split(' '))
        .map(stem),
    )
    if (wanted.every((w) => have.has(w))) return doc._id
  }
  return undefined
}

/**
 * «وقال بلينكن» after «أنتوني بلينكن»: the most recently named person (or organization) one of whose
 * names contains every word of this one.
 */
export function byNamePart(table: EntityTable, name: string): string | undefined {
  const wanted = foldKey(name).split(' ').filter(Boolean)
  const ids = [...table.seen].reverse().concat([...table.entities.keys()].filter((id) => !table.seen.includes(id)).reverse())
  for (const id of ids) {
    const doc = table.entities.get(id)?.doc
    if (!doc || doc._type !== 'person') continue
    for (const form of [doc.name, ...(doc.aliases ?? [])]) {
      const have = foldKey(form).split(' ')
      if (wanted.every((w) => have.includes(w))) return doc._id
    }
  }
  return undefined
}

/** «قيس الخزعلي» earlier in the text, for «الخزعلي»: one name-like word before the surname. */
export function fullNameBefore(earlier: string, surname: string): string | undefined {
  if (!earlier) return undefined
  const tokens = tokenize(earlier)
  const want = tokenize(surname).map((t) => t.key)
  for (let i = tokens.length - want.length; i >= 1; i--) {
    if (!want.every((w, k) => (tokens[i + k] as Token).key === w)) continue
    const before = tokens[i - 1] as Token
    if (nameToken(before, false) && !hasTrailingPunctuation(before)) {
      return earlier.slice(before.coreStart, (tokens[i + want.length - 1] as Token).coreEnd)
    }
  }
  return undefined
}
