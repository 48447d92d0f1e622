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
import {hasTrailingPunctuation, opensWithMark, parseSpeakerPhrase, resolveSpeaker, type PendingSpeaker} from './speakers'
import {
  ATTACHED_COMPLEMENTIZER,
  CIRCUMSTANTIAL_STARTERS,
  CIRCUMSTANTIAL_WINDOW,
  COMPLEMENTIZERS,
  EDITORIAL_OPENERS,
  TRAILING_CONNECTIVES,
  VERB_INDEX,
  VERB_KEYS,
  type FoldedVerb,
} from './vocabulary'
import {markSeen, type EntityTable, type Mention} from './entities'
import type {QuoteKind} from './types'

export interface Statement {
  /** Offsets of the quoted words in the paragraph text (an exact substring). */
  start: number
  end: number
  kind: QuoteKind
  speakerId: string
  /** What made it a statement: the cue word or the quote mark, verbatim. */
  cue: string
}

export interface SpeakerState {
  /** The last speaker named explicitly, for cues that name no one (وأضاف …). */
  lastSpeaker?: string
}

export interface StatementContext {
  table: EntityTable
  state: SpeakerState
  warnings: string[]
  /** For warnings: where the paragraph is. */
  where: string
  /** The article's source key: people the text does not name are scoped to it. */
  articleKey: string
}

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
  let open: {at: number; mark: string} | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (open) {
      if (ch === PAIRS[open.mark]) {
        regions.push({open: open.at, close: i, mark: open.mark})
        open = undefined
      }
      continue
    }
    if (ch in PAIRS) open = {at: i, mark: ch}
    else if (CLOSERS.has(ch)) closingOnly.push(i)
  }
  if (open) regions.push({open: open.at, close: line.length, mark: open.mark})
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
): {start: number; kind: QuoteKind} | undefined {
  if (afterColon) {
    const t = tokens[k]
    return t ? {start: t.start, kind: 'direct'} : undefined
  }
  const introduces = (i: number): {start: number; kind: QuoteKind} | undefined => {
    const t = tokens[i]
    if (!t) return undefined
    if (t.key === ':' || t.raw === ':') return tokens[i + 1] ? {start: (tokens[i + 1] as Token).start, kind: 'direct'} : undefined
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
  if (CIRCUMSTANTIAL_STARTERS.has(t.key) || (/^[لب]/.test(t.key) && t.key.length > 3)) {
    for (let i = k; i < Math.min(tokens.length, k + CIRCUMSTANTIAL_WINDOW); i++) {
      const ti = tokens[i] as Token
      if (stops.has(i) || opensWithMark(ti)) break
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

function findCues(line: string, tokens: readonly Token[], mentions: readonly Mention[], skip: (pos: number) => boolean): Cue[] {
  const cues: Cue[] = []
  const verbAt = new Set<number>()
  tokens.forEach((t, i) => {
    if (stripConjunction(t.key, VERB_KEYS) !== undefined && !skip(t.start)) verbAt.add(i)
  })
  for (const i of [...verbAt].sort((a, b) => a - b)) {
    const t = tokens[i] as Token
    const verb = VERB_INDEX.get(stripConjunction(t.key, VERB_KEYS) as string) as FoldedVerb
    let k = i + 1
    let pending: PendingSpeaker | undefined
    let phraseRange: Range | undefined
    const colonAfterVerb = /[:：]/.test(t.trail)
    if (!verb.participle && !hasTrailingPunctuation(t)) {
      const phrase = parseSpeakerPhrase(line, tokens, i + 1, mentions)
      if (phrase) {
        pending = phrase.speaker
        k = phrase.last + 1
        phraseRange = {start: (tokens[i + 1] as Token).coreStart, end: (tokens[phrase.last] as Token).coreEnd}
      }
    }
    const lastOfPhrase = tokens[k - 1] as Token
    const afterColon = colonAfterVerb || (k - 1 > i && /[:：]/.test(lastOfPhrase.trail))
    const content = contentAfter(tokens, k, verb, afterColon, verbAt)
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
    })
  }
  // «وزير الخارجية الفرنسي: …» — a paragraph opening with a speaker phrase and a colon
  const phrase = tokens.length > 1 && !skip(0) ? parseSpeakerPhrase(line, tokens, 0, mentions) : undefined
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
  const cues = findCues(line, tokens, mentions, skip)
  const sentenceOf = (pos: number): number => ends.filter((e) => e < pos).length
  // quoted words (≥ 3 words; shorter ones are names or terms in quotes), outside editorial sentences
  const regions = marks.regions.filter(
    (r) => wordCount(line.slice(r.open + 1, r.close)) >= 3 && !within(editorial, r.open),
  )

  const owner = new Map<MarkRegion, Cue>()
  for (const r of regions) {
    const before = cues.filter((c) => c.start < r.open && sentenceOf(c.start) === sentenceOf(r.open)).at(-1)
    if (before) {
      owner.set(r, before)
      const lead = trimRange(line, before.contentStart, r.open)
      if (before.contentStart >= r.open || wordCount(line.slice(lead[0], lead[1])) < 4) before.consumed = true
      continue
    }
    // «…»، قال الوزير — attribution after the quote
    const after = cues.find((c) => c.start > r.close && sentenceOf(c.start) === sentenceOf(r.close))
    if (after && wordCount(line.slice(r.close + 1, after.start)) <= 2) {
      owner.set(r, after)
      after.consumed = true
    }
  }

  const resolve = (cue: Cue): string | undefined => {
    if (!cue.resolved) {
      cue.resolved = true
      const id = cue.pending ? resolveSpeaker(cue.pending, ctx) : undefined
      if (id) {
        ctx.state.lastSpeaker = id
        markSeen(ctx.table, id)
        cue.speakerId = id
        const type = ctx.table.entities.get(id)?.doc._type
        if (cue.pending?.kind === 'title' && cue.phrase && type) speakerMentions.push({...cue.phrase, type, id})
      } else cue.speakerId = ctx.state.lastSpeaker
    }
    return cue.speakerId
  }

  type Event = {at: number; cue: Cue} | {at: number; region: MarkRegion}
  const events: Event[] = [
    ...cues.map((cue) => ({at: cue.start, cue})),
    ...regions.map((region) => ({at: region.open, region})),
  ].sort((a, b) => a.at - b.at)

  const statements: Statement[] = []
  const push = (start: number, end: number, kind: QuoteKind, speakerId: string | undefined, cue: string): void => {
    const [s, e] = trimRange(line, start, end)
    if (wordCount(line.slice(s, e)) < 2) return
    if (!speakerId) {
      ctx.warnings.push(`${ctx.where}: statement with no speaker left out: «${line.slice(s, e)}»`)
      return
    }
    statements.push({start: s, end: e, kind, speakerId, cue})
  }

  for (const [index, event] of events.entries()) {
    if ('region' in event) {
      const r = event.region
      const by = owner.get(r)
      const speakerId = by ? resolve(by) : ctx.state.lastSpeaker
      push(r.open + 1, r.close, 'direct', speakerId, r.mark)
      continue
    }
    const cue = event.cue
    const speakerId = resolve(cue)
    if (cue.consumed || cue.silent) continue
    const nextEvent = events.slice(index + 1).find((e) => e.at > cue.contentStart)
    let limit = Math.min(nextEvent?.at ?? line.length, ...editorial.filter((r) => r.start > cue.contentStart).map((r) => r.start))
    const closing = marks.closingOnly.find((c) => c > cue.contentStart && c < limit)
    if (closing !== undefined) {
      push(cue.contentStart, closing, 'direct', speakerId, cue.word)
      continue
    }
    const sentenceEnd = ends.find((e) => e >= cue.contentStart)
    if (sentenceEnd !== undefined) limit = Math.min(limit, sentenceEnd)
    push(cue.contentStart, limit, cue.kind, speakerId, cue.word)
  }
  return {statements, speakerMentions}
}
