// Statement (quote) detection in one body paragraph: who said what, direct or indirect.
//
// Cues, in order of strength:
//  - quote marks «…», “…”, "…" (direct); a closing ” or » with no opening mark (direct, from the
//    reporting cue before it); an opening mark never closed in the paragraph (direct, to its end);
//  - reporting verbs (قال، أضاف، أكد، أشار، أوضح، شدد، جدد …, with و/ف and feminine/plural forms)
//    and participles (قائلا، مضيفا، مؤكدا، مشددا …), followed by an optional speaker phrase, then a
//    complementizer (أن/إن/بأن → indirect; أنه/أنهم … → indirect, kept in the text; إلى/على after
//    verbs that take them → indirect), a colon (→ direct), or the words themselves (direct after
//    قال/أضاف/قائلا, indirect after أكد/جدد/أعلن …, nothing after the others);
//  - a paragraph that opens with a speaker phrase and a colon («الوزير: …») (direct).
// A cue without a speaker phrase belongs to the last named speaker. Sentences in the outlet's own
// voice (الجدير بالذكر، تجدر الإشارة، يذكر أن …) are skipped: they are attributed to no one.
import {foldKey, stripConjunction, tokenize, type Token} from './arabic'
import {hasTrailingPunctuation, mentionAt, opensWithMark, parseSpeakerPhrase, resolveSpeaker, type PendingSpeaker} from './speakers'
import {
  ATTACHED_COMPLEMENTIZER,
  CIRCUMSTANTIAL_STARTERS,
  CLAUSE_ENDERS,
  NOT_NAMES,
  ORG_HEADS,
  TITLE_HEADS,
  CIRCUMSTANTIAL_WINDOW,
  COMPLEMENTIZERS,
  EDITORIAL_OPENERS,
  TRAILING_CONNECTIVES,
  VERB_INDEX,
  QUOTING_NOUNS,
  VERB_KEYS,
  agreementOf,
  type FoldedVerb,
} from './vocabulary'
import type {StatementContext} from './context'
import {markSeen, type Mention} from './entities'
import type {QuoteKind} from './types'

export interface Statement {
  /** Offsets of the quoted words in the paragraph text (an exact substring). */
  start: number
  end: number
  kind: QuoteKind
  speakerId: string
  /** What made it a statement: the cue word or the quote mark, verbatim. */
  cue: string
  /** How sure the attribution is, 0–1, and how the speaker was found. */
  confidence: number
  basis: string
}

/** Confidence of an attribution by how its speaker was found; below REVIEW_BELOW an editor should check it. */
export const CONFIDENCE = {
  known: 0.95,
  person: 0.9,
  organization: 0.85,
  nameEarlier: 0.85,
  nameNew: 0.6,
  titleEarlier: 0.8,
  titleNew: 0.7,
  titleGuess: 0.45,
  current: 0.8,
  sameParagraph: 0.85,
  laterParagraph: 0.75,
  agreementSwitch: 0.65,
  agreementMismatch: 0.5,
  marksOnly: 0.5,
  headline: 0.55,
} as const
export const REVIEW_BELOW = 0.6

export type {SpeakerState, StatementContext} from './context'

// ---------------------------------------------------------------------------------------------
// Marks and sentences

interface MarkRegion {
  /** Index of the opening mark. */
  open: number
  /** Index of the closing mark (line length when the quote runs to the end of the paragraph). */
  close: number
  mark: string
}

interface Marks {
  regions: MarkRegion[]
  /** Closing ” or » with no opening mark before them. */
  closingOnly: number[]
}

const PAIRS: Readonly<Record<string, string>> = {'«': '»', '“': '”', '„': '”', '"': '"'}
const CLOSERS = new Set(['»', '”'])

export function findQuoteMarks(line: string): Marks {
  const regions: MarkRegion[] = []
  const closingOnly: number[] = []
  // a stack, so that «… "ستارلينك" …» inside a quote does not end it
  const stack: Array<{at: number; mark: string}> = []
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    const top = stack.at(-1)
    if (ch === '"') {
      // a straight quote opens after a space or the line start and before a letter; else it closes
      const prev = line[i - 1]
      const next = line[i + 1]
      const opens = (prev === undefined || /[\s(:：،,«“]/u.test(prev)) && next !== undefined && /[\p{L}\p{N}«“(]/u.test(next)
      if (!opens && top?.mark === '"') {
        stack.pop()
        if (stack.length === 0) regions.push({open: top.at, close: i, mark: top.mark})
      } else if (opens || !top) stack.push({at: i, mark: ch})
      continue
    }
    if (ch in PAIRS) {
      stack.push({at: i, mark: ch})
      continue
    }
    if (top && PAIRS[top.mark] === ch) {
      stack.pop()
      if (stack.length === 0) regions.push({open: top.at, close: i, mark: top.mark})
    } else if (CLOSERS.has(ch) && stack.length === 0) closingOnly.push(i)
  }
  const outer = stack[0]
  if (outer) regions.push({open: outer.at, close: line.length, mark: outer.mark})
  return {regions, closingOnly}
}

const inRegion = (regions: readonly MarkRegion[], pos: number): boolean =>
  regions.some((r) => pos > r.open && pos < r.close)

/** Indexes of sentence-final punctuation outside quote marks (". " but not "2.5"). */
export function sentenceEnds(line: string, regions: readonly MarkRegion[]): number[] {
  const ends: number[] = []
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (!/[.!?؟]/.test(ch) || inRegion(regions, i)) continue
    if (ch === '.' && /\d/.test(line[i - 1] ?? '') && /\d/.test(line[i + 1] ?? '')) continue
    const next = line[i + 1]
    if (next === undefined || /[\s»”"')\]]/.test(next)) ends.push(i)
  }
  return ends
}

const wordCount = (text: string): number => (text.match(/[\p{L}\p{N}]+/gu) ?? []).length

/** Trim a quote range: spaces and punctuation at both ends, dangling connectives at the end. */
export function trimRange(line: string, start: number, end: number): [number, number] {
  let s = start
  let e = end
  const leading = /[\s:：،,؛;\-–—.!?؟…]/u
  const trailing = /[\s:：،,؛;\-–—.!?؟…]/u
  // a closing mark stays when its opening mark is in the quote («داعش» ما زال …), else it goes
  const OPENER: Readonly<Record<string, string>> = {'»': '«', '”': '“', '"': '"'}
  const danglingCloser = (i: number): boolean => {
    const opener = OPENER[line[i] as string]
    return opener !== undefined && !line.slice(s, i).includes(opener)
  }
  const danglingOpener = (i: number): boolean => {
    const ch = line[i] as string
    const closer = ch === '«' ? '»' : ch === '“' || ch === '„' ? '”' : ch === '"' ? '"' : undefined
    return closer !== undefined && !line.slice(i + 1, e).includes(closer)
  }
  for (let changed = true; changed; ) {
    changed = false
    while (s < e && (leading.test(line[s] as string) || danglingOpener(s))) s++
    while (e > s && (trailing.test(line[e - 1] as string) || danglingCloser(e - 1))) e--
    const lastSpace = line.lastIndexOf(' ', e - 1)
    if (lastSpace > s && TRAILING_CONNECTIVES.has(foldKey(line.slice(lastSpace + 1, e)))) {
      e = lastSpace
      changed = true
    }
  }
  return [s, e]
}

/** «الوكالة الوطنية للإعلام» in quote marks: an organization's name, not a quotation. */
function isNameInMarks(inside: string): boolean {
  const first = foldKey(inside.trim().split(/\s+/u)[0] ?? '')
  return wordCount(inside) <= 5 && !/[.،,؛!?؟:]/u.test(inside) && (ORG_HEADS.has(first) || /^(?:ال)?(?:وكاله|صحيفه|قناه|جريده|اذاعه|موقع)$/u.test(first))
}

// ---------------------------------------------------------------------------------------------
// Cues

interface Cue {
  /** Offset of the cue word (or of the speaker phrase, for «الوزير: …»). */
  start: number
  word: string
  tokenIndex: number
  pending?: PendingSpeaker
  /** Offsets of the speaker phrase, when there is one. */
  phrase?: Range
  /** Where the reported words start, or undefined when the cue introduces nothing here. */
  contentStart: number
  kind: QuoteKind
  speakerId?: string
  resolved: boolean
  consumed: boolean
  /** Names a speaker but introduces no words here («…»، قال الوزير.). */
  silent: boolean
  /** Gender/number the verb shows, when it shows one. */
  agreement?: 'm' | 'f' | 'p'
  confidence?: number
  basis?: string
}

interface Range {
  start: number
  end: number
}

function editorialRanges(line: string, tokens: readonly Token[], ends: readonly number[]): Range[] {
  const ranges: Range[] = []
  const starts = [0, ...ends.map((e) => e + 1)]
  for (const [i, s] of starts.entries()) {
    const end = ends[i] ?? line.length
    const ti = tokens.findIndex((t) => t.start >= s)
    const t0 = tokens[ti]
    if (!t0 || t0.start >= end) continue
    const k0 = /^[وف]/.test(t0.key) && !EDITORIAL_OPENERS.some((w) => w[0] === t0.key) ? t0.key.slice(1) : t0.key
    const k1 = tokens[ti + 1]?.key
    if (EDITORIAL_OPENERS.some((w) => w[0] === k0 && (w.length === 1 || w[1] === k1))) ranges.push({start: s, end: end + 1})
  }
  return ranges
}

const within = (ranges: readonly Range[], pos: number): boolean => ranges.some((r) => pos >= r.start && pos < r.end)

/** Where the reported words start after a verb (and its speaker phrase), and their kind. */
function contentAfter(
  tokens: readonly Token[],
  k: number,
  verb: FoldedVerb,
  afterColon: boolean,
  stops: ReadonlySet<number>,
  afterComma = false,
): {start: number; kind: QuoteKind} | undefined {
  if (afterColon) {
    const t = tokens[k]
    return t ? {start: t.start, kind: 'direct'} : undefined
  }
  const introduces = (i: number): {start: number; kind: QuoteKind} | undefined => {
    const t = tokens[i]
    if (!t) return undefined
    if (t.key === ':' || (t.key === '' && /^[:：]/u.test(t.raw))) return tokens[i + 1] ? {start: (tokens[i + 1] as Token).start, kind: 'direct'} : undefined
    if (ATTACHED_COMPLEMENTIZER.test(t.key)) return {start: t.start, kind: 'indirect'}
    if (COMPLEMENTIZERS.has(t.key) || verb.preps.has(t.key)) {
      const next = tokens[i + 1]
      if (!next) return undefined
      // «على أن …», «إلى أن …»
      if (verb.preps.has(t.key) && COMPLEMENTIZERS.has(next.key)) {
        const after = tokens[i + 2]
        return after ? {start: after.start, kind: 'indirect'} : undefined
      }
      if (verb.preps.has(t.key) && ATTACHED_COMPLEMENTIZER.test(next.key)) return {start: next.start, kind: 'indirect'}
      return {start: next.start, kind: 'indirect'}
    }
    return undefined
  }
  const direct = introduces(k)
  if (direct) return direct
  const t = tokens[k]
  if (!t) return undefined
  // «وقال الوزير في بيان له إن …»
  if (afterComma || CIRCUMSTANTIAL_STARTERS.has(t.key) || (/^[لب]/.test(t.key) && t.key.length > 3) || t.lead.includes('(') || t.key === 'التي' || t.key === 'الذي') {
    for (let i = k; i < Math.min(tokens.length, k + CIRCUMSTANTIAL_WINDOW); i++) {
      const ti = tokens[i] as Token
      // a name or a term in quote marks («"إكس"») does not stop the search; a quotation does
      const shortMark = opensWithMark(ti) && [ti, tokens[i + 1], tokens[i + 2]].some((x) => x !== undefined && /[»”"]/.test(x.trail))
      if (stops.has(i)) break
      if (opensWithMark(ti) && !shortMark) return {start: ti.start, kind: 'direct'}
      if (i > k) {
        const found = introduces(i)
        if (found) return found
      }
      if (/[.!?؟]/.test(ti.trail)) break
      if (/[:：]/.test(ti.trail)) {
        const next = tokens[i + 1]
        return next ? {start: next.start, kind: 'direct'} : undefined
      }
    }
  }
  if (opensWithMark(t)) return {start: t.start, kind: 'direct'}
  if (verb.bare === 'none') return undefined
  return {start: t.start, kind: verb.bare}
}

function findCues(line: string, tokens: readonly Token[], mentions: readonly Mention[], skip: (pos: number) => boolean, earlier = '', ends: readonly number[] = []): Cue[] {
  const cues: Cue[] = []
  const verbAt = new Set<number>()
  tokens.forEach((t, i) => {
    if (stripConjunction(t.key, VERB_KEYS) === undefined || skip(t.start)) return
    // «كما قالوا»: «as they said», an aside, not a reporting cue
    const next = tokens[i + 1]
    if (i > 0 && (tokens[i - 1] as Token).key === 'كما' && (!next || NOT_NAMES.has(next.key) || /[.،,]/u.test(t.trail))) return
    verbAt.add(i)
  })
  for (const i of [...verbAt].sort((a, b) => a - b)) {
    const t = tokens[i] as Token
    const verb = VERB_INDEX.get(stripConjunction(t.key, VERB_KEYS) as string) as FoldedVerb
    let k = i + 1
    let pending: PendingSpeaker | undefined
    let phraseRange: Range | undefined
    const colonAfterVerb = /[:：]/.test(t.trail)
    const verbKey = stripConjunction(t.key, VERB_KEYS) as string
    if (QUOTING_NOUNS.has(verbKey)) {
      // «ونقلت الوكالة عن الوزير قوله …»: the speaker follows «عن»
      for (let b = i - 1; b >= Math.max(0, i - 8); b--) {
        const tb = tokens[b] as Token
        if (/[.!?؟]/.test(tb.trail)) break
        if (tb.key !== 'عن' || hasTrailingPunctuation(tb)) continue
        const phrase = parseSpeakerPhrase(line, tokens, b + 1, mentions)
        if (phrase && phrase.last < i) {
          pending = phrase.speaker
          phraseRange = {start: (tokens[b + 1] as Token).coreStart, end: (tokens[phrase.last] as Token).coreEnd}
        }
        break
      }
    } else if (!verb.participle && !hasTrailingPunctuation(t)) {
      const phrase = parseSpeakerPhrase(line, tokens, i + 1, mentions, earlier + line.slice(0, t.start))
      if (phrase) {
        pending = phrase.speaker
        k = phrase.last + 1
        phraseRange = {start: (tokens[i + 1] as Token).coreStart, end: (tokens[phrase.last] as Token).coreEnd}
      }
    } else if (verb.participle) {
      // «أدان وزير الخارجية اللبناني الجديد، شربل وهبة، …، مؤكداً …»: the sentence's subject speaks
      const sentenceStart = [0, ...ends.map((e) => e + 1)].filter((p) => p <= t.start).at(-1) ?? 0
      const s0 = tokens.findIndex((x) => x.start >= sentenceStart)
      let at = -1
      for (let x = s0 + 1; x >= 0 && x < Math.min(i, s0 + 7); x++) {
        const tx = tokens[x] as Token
        if (TITLE_HEADS.has(tx.key) || mentionAt(mentions, tx)?.type === 'person') {
          at = x
          break
        }
      }
      const subject = at >= 0 ? tokens[at] : undefined
      if (subject) {
        const phrase = parseSpeakerPhrase(line, tokens, at, mentions, earlier)
        if (phrase && phrase.last < i && phrase.speaker.kind !== 'title') {
          pending = phrase.speaker
          phraseRange = {start: subject.coreStart, end: (tokens[phrase.last] as Token).coreEnd}
        }
      }
    }
    const lastOfPhrase = tokens[k - 1] as Token
    const afterColon = colonAfterVerb || (k - 1 > i && /[:：]/.test(lastOfPhrase.trail))
    const afterComma = /^[،,]/.test(lastOfPhrase.trail) && (k - 1 > i || verb.preps.size === 0)
    const content = contentAfter(tokens, k, verb, afterColon, verbAt, afterComma)
    if (!content && !pending) continue
    cues.push({
      start: t.start,
      word: t.raw.slice(t.coreStart - t.start, t.coreEnd - t.start),
      tokenIndex: i,
      ...(pending ? {pending} : {}),
      ...(phraseRange ? {phrase: phraseRange} : {}),
      contentStart: content?.start ?? (tokens[k] as Token | undefined)?.start ?? line.length,
      kind: content?.kind ?? 'indirect',
      resolved: false,
      consumed: false,
      silent: !content,
      agreement: agreementOf(verbKey),
    })
  }
  // «وزير الخارجية الفرنسي: …» — a paragraph opening with a speaker phrase and a colon
  const phrase = tokens.length > 1 && !skip(0) ? parseSpeakerPhrase(line, tokens, 0, mentions, earlier) : undefined
  if (phrase && /[:：]/.test((tokens[phrase.last] as Token).trail) && tokens[phrase.last + 1] && !verbAt.has(0)) {
    cues.unshift({
      start: 0,
      word: ':',
      tokenIndex: 0,
      pending: phrase.speaker,
      phrase: {start: (tokens[0] as Token).coreStart, end: (tokens[phrase.last] as Token).coreEnd},
      contentStart: (tokens[phrase.last + 1] as Token).start,
      kind: 'direct',
      resolved: false,
      consumed: false,
      silent: false,
    })
  }
  return cues
}

// ---------------------------------------------------------------------------------------------

export interface StatementsFound {
  statements: Statement[]
  /**
   * Speaker phrases resolved to someone named before («الوزير الفرنسي» → the French minister):
   * mentions that alias matching alone does not find.
   */
  speakerMentions: Mention[]
}

/** Statements in a body paragraph, in text order. Updates ctx.state (last named speaker). */
export function findStatements(line: string, mentions: readonly Mention[], ctx: StatementContext): StatementsFound {
  const speakerMentions: Mention[] = []
  const tokens = tokenize(line)
  const marks = findQuoteMarks(line)
  const ends = sentenceEnds(line, marks.regions)
  const editorial = editorialRanges(line, tokens, ends)
  const skip = (pos: number): boolean => inRegion(marks.regions, pos) || within(editorial, pos)
  const cues = findCues(line, tokens, mentions, skip, ctx.earlier ?? '', ends)
  const sentenceOf = (pos: number): number => ends.filter((e) => e < pos).length
  // quoted words (≥ 3 words; shorter ones are names or terms in quotes), outside editorial sentences
  const regions = marks.regions.filter(
    (r) => wordCount(line.slice(r.open + 1, r.close)) >= 3 && !within(editorial, r.open) && !isNameInMarks(line.slice(r.open + 1, r.close)),
  )

  const owner = new Map<MarkRegion, Cue>()
  const merged = new Set<MarkRegion>()
  const unowned = new Set<MarkRegion>()
  for (const r of regions) {
    const before = cues.filter((c) => c.start < r.open && sentenceOf(c.start) === sentenceOf(r.open)).at(-1)
    if (before) {
      const lead = trimRange(line, before.contentStart, r.open)
      const leadWords = before.contentStart >= r.open ? 0 : wordCount(line.slice(lead[0], lead[1]))
      // «وأضاف أن ما ورد في التقرير "غير صحيح"»: the marks are inside the reported clause
      if (before.kind === 'indirect' && !before.silent && leadWords >= 1 && r.close < line.length) {
        merged.add(r)
        continue
      }
      owner.set(r, before)
      if (leadWords < 4) before.consumed = true
      continue
    }
    // «…»، قال الوزير — attribution after the quote
    const after = cues.find((c) => c.start > r.close && sentenceOf(c.start) === sentenceOf(r.close))
    if (after && wordCount(line.slice(r.close + 1, after.start)) <= 2) {
      owner.set(r, after)
      after.consumed = true
      continue
    }
    // no cue: a quotation only when it opens its sentence or follows a colon, not a term inside a sentence
    const sentenceStart = [0, ...ends.map((e) => e + 1)].filter((p) => p <= r.open).at(-1) ?? 0
    const before2 = line.slice(sentenceStart, r.open)
    if (wordCount(before2) > 2 && !/[:：]\s*$/u.test(before2)) unowned.add(r)
  }

  const state = ctx.state
  const remember = (id: string, agreement: Cue['agreement']): void => {
    state.lastSpeaker = id
    state.lastSpeakerLine = ctx.lineNumber
    state.history = [...(state.history ?? []).filter((h) => h.id !== id), {id, ...(agreement ? {agreement} : {})}]
  }
  /** The speaker of a cue that names no one: the last one, or an earlier one the verb agrees with. */
  const continuation = (agreement: Cue['agreement']): {id?: string; confidence: number; basis: string} => {
    const last = state.lastSpeaker
    if (!last) {
      const id = ctx.fallback?.()
      return id ? {id, confidence: CONFIDENCE.headline, basis: 'the speaker the headline names'} : {confidence: 0, basis: 'no speaker'}
    }
    const lastAgreement = state.history?.find((h) => h.id === last)?.agreement
    if (agreement && lastAgreement && agreement !== lastAgreement) {
      const match = [...(state.history ?? [])].reverse().find((h) => h.agreement === agreement)
      if (match) return {id: match.id, confidence: CONFIDENCE.agreementSwitch, basis: `the earlier speaker the verb agrees with (${agreement})`}
      return {id: last, confidence: CONFIDENCE.agreementMismatch, basis: 'the last speaker, though the verb does not agree'}
    }
    const same = state.lastSpeakerLine === ctx.lineNumber
    return {id: last, confidence: same ? CONFIDENCE.sameParagraph : CONFIDENCE.laterParagraph, basis: same ? 'the speaker named earlier in the paragraph' : 'the speaker named in an earlier paragraph'}
  }
  const resolve = (cue: Cue): string | undefined => {
    if (!cue.resolved) {
      cue.resolved = true
      const before = new Set(ctx.table.entities.keys())
      const warningsBefore = ctx.warnings.length
      const id = cue.pending ? resolveSpeaker(cue.pending, ctx) : undefined
      if (id && cue.pending && cue.pending.kind !== 'current') {
        const isNew = !before.has(id)
        const kind = cue.pending.kind
        const guessed = ctx.warnings.length > warningsBefore
        ;[cue.confidence, cue.basis] =
          kind === 'known'
            ? [CONFIDENCE.known, 'a name the newsroom knows']
            : kind === 'person'
              ? [CONFIDENCE.person, 'a title and a name']
              : kind === 'organization'
                ? [CONFIDENCE.organization, 'an organization named as speaker']
                : kind === 'name'
                  ? isNew
                    ? [CONFIDENCE.nameNew, 'a name with no title, new to the newsroom']
                    : [CONFIDENCE.nameEarlier, 'a name matching someone named before']
                  : guessed
                    ? [CONFIDENCE.titleGuess, 'a title matching no one named before; taken as the last speaker']
                    : isNew
                      ? [CONFIDENCE.titleNew, 'a title with no name']
                      : [CONFIDENCE.titleEarlier, 'a title matching someone named before']
        remember(id, cue.agreement)
        markSeen(ctx.table, id)
        cue.speakerId = id
        const type = ctx.table.entities.get(id)?.doc._type
        if (cue.pending?.kind === 'title' && cue.phrase && type) speakerMentions.push({...cue.phrase, type, id})
      } else if (id) {
        cue.speakerId = id
        ;[cue.confidence, cue.basis] = [CONFIDENCE.current, 'the issuer of the statement named before']
      } else {
        const found = continuation(cue.agreement)
        if (found.id) cue.speakerId = found.id
        ;[cue.confidence, cue.basis] = [found.confidence, found.basis]
      }
    }
    return cue.speakerId
  }

  type Event = {at: number; cue: Cue} | {at: number; region: MarkRegion}
  const events: Event[] = [
    ...cues.map((cue) => ({at: cue.start, cue})),
    ...regions.filter((r) => !merged.has(r) && !unowned.has(r)).map((region) => ({at: region.open, region})),
  ].sort((a, b) => a.at - b.at)
  // a clause such as «، داعياً إلى …» ends the reported words
  const clauseEnds = tokens.filter((t) => CLAUSE_ENDERS.has(t.key) && !skip(t.start)).map((t) => t.start)

  const statements: Statement[] = []
  const push = (start: number, end: number, kind: QuoteKind, speakerId: string | undefined, cue: string, by?: Cue): void => {
    const [s, e] = trimRange(line, start, end)
    if (wordCount(line.slice(s, e)) < 2) return
    if (!speakerId) {
      ctx.warnings.push(`${ctx.where}: statement with no speaker left out: «${line.slice(s, e)}»`)
      return
    }
    const confidence = by?.confidence ?? CONFIDENCE.marksOnly
    const basis = by?.basis ?? 'quote marks with no reporting verb: the last speaker'
    statements.push({start: s, end: e, kind, speakerId, cue, confidence, basis})
  }

  // «… :" تؤلمني …» / «ونحن قلقون … ".»: a quote opened in the previous paragraph ends here
  const firstEvent = events[0]?.at ?? line.length
  const carried = ctx.state.openQuote ? marks.closingOnly.find((c) => c < firstEvent) ?? [...line].findIndex((ch, i) => ch === '"' && i < firstEvent && !regions.some((r) => r.open === i)) : undefined
  if (carried !== undefined && carried >= 0) {
    const last = ctx.state.lastSpeaker
    push(0, carried, 'direct', last, line[carried] as string, last ? {confidence: CONFIDENCE.sameParagraph, basis: 'a quotation going on from the previous paragraph'} as Cue : undefined)
  }
  ctx.state.openQuote = marks.regions.some((r) => r.close === line.length)

  for (const [index, event] of events.entries()) {
    if ('region' in event) {
      const r = event.region
      const by = owner.get(r)
      let speakerId = by ? resolve(by) : ctx.state.lastSpeaker
      if (!speakerId && !by) speakerId = ctx.fallback?.()
      push(r.open + 1, r.close, 'direct', speakerId, by ? by.word : r.mark, by)
      continue
    }
    const cue = event.cue
    const speakerId = resolve(cue)
    if (cue.consumed || cue.silent) continue
    const nextEvent = events.slice(index + 1).find((e) => e.at > cue.contentStart)
    let limit = Math.min(
      nextEvent?.at ?? line.length,
      ...editorial.filter((r) => r.start > cue.contentStart).map((r) => r.start),
      ...clauseEnds.filter((c) => c > cue.contentStart),
    )
    const closing = marks.closingOnly.find((c) => c > cue.contentStart && c < limit)
    if (closing !== undefined) {
      push(cue.contentStart, closing, 'direct', speakerId, cue.word, cue)
      continue
    }
    const sentenceEnd = ends.find((e) => e >= cue.contentStart)
    if (sentenceEnd !== undefined) limit = Math.min(limit, sentenceEnd)
    push(cue.contentStart, limit, cue.kind, speakerId, cue.word, cue)
  }
  return {statements, speakerMentions}
}
