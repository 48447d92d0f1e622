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
import {foldKey, foldedSet, isDefinite, lightKey, stripConjunction, tokenize, type Token} from './arabic'
import {ensureOrganization, ensurePerson, markSeen, type EntityTable, type Mention} from './entities'
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
// Word lists (natural spelling; folded when loaded)

type Bare = 'direct' | 'indirect' | 'none'

interface VerbSpec {
  forms: readonly string[]
  /** What the words right after the verb (no complementizer) are. */
  bare: Bare
  /** Prepositions that introduce reported content after this verb. */
  preps?: readonly string[]
  /** Participles (قائلا …) take no subject: the speaker is the current one. */
  participle?: boolean
}

const VERBS: readonly VerbSpec[] = [
  {forms: ['قال', 'قالت', 'قالوا', 'قالا', 'يقول', 'تقول', 'يقولون'], bare: 'direct'},
  {forms: ['أضاف', 'أضافت', 'أضافوا', 'أضافا', 'يضيف', 'تضيف'], bare: 'direct'},
  {forms: ['أردف', 'أردفت', 'استطرد', 'استطردت', 'تابع', 'تابعت', 'ختم', 'ختمت'], bare: 'none'},
  {forms: ['أكد', 'أكدت', 'أكدوا', 'أكدا', 'يؤكد', 'تؤكد'], bare: 'indirect', preps: ['على']},
  {forms: ['جدد', 'جددت', 'جددوا'], bare: 'indirect'},
  {forms: ['أعلن', 'أعلنت', 'أعلنوا', 'نفى', 'نفت', 'نفوا'], bare: 'indirect'},
  {forms: ['أشار', 'أشارت', 'أشاروا', 'يشير', 'تشير'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['لفت', 'لفتت', 'لفتوا'], bare: 'none', preps: ['إلى', 'الى', 'لى']},
  {forms: ['أوضح', 'أوضحت', 'أوضحوا', 'يوضح', 'توضح'], bare: 'none'},
  {forms: ['شدد', 'شددت', 'شددوا', 'يشدد', 'تشدد'], bare: 'none', preps: ['على']},
  {forms: ['صرح', 'صرحت', 'صرحوا', 'ذكر', 'ذكرت', 'اعتبر', 'اعتبرت', 'رأى', 'رأت', 'حذر', 'حذرت'], bare: 'none', preps: ['من']},
  {forms: ['قائلا', 'قائلاً', 'قائلة', 'قائلين', 'مضيفا', 'مضيفاً', 'مضيفة'], bare: 'direct', participle: true},
  {forms: ['مؤكدا', 'مؤكداً', 'مؤكدة'], bare: 'indirect', preps: ['على'], participle: true},
  {forms: ['مشددا', 'مشدداً', 'مشددة'], bare: 'none', preps: ['على'], participle: true},
  {forms: ['مشيرا', 'مشيراً', 'مشيرة', 'لافتا', 'لافتاً', 'لافتة'], bare: 'none', preps: ['إلى', 'الى', 'لى'], participle: true},
  {forms: ['موضحا', 'موضحاً', 'موضحة', 'معتبرا', 'معتبراً', 'معتبرة', 'محذرا', 'محذراً', 'محذرة'], bare: 'none', participle: true},
]

interface FoldedVerb {
  bare: Bare
  preps: ReadonlySet<string>
  participle: boolean
}

const VERB_INDEX: ReadonlyMap<string, FoldedVerb> = new Map(
  VERBS.flatMap((v) =>
    v.forms.map((f) => [foldKey(f), {bare: v.bare, preps: foldedSet(v.preps ?? []), participle: v.participle === true}] as const),
  ),
)
const VERB_KEYS: ReadonlySet<string> = new Set(VERB_INDEX.keys())
/** Folded reporting verbs and participles. */
export const REPORTING_VERBS: ReadonlySet<string> = VERB_KEYS

/** Complementizers after which the reported words start (the word itself is left out). */
const COMPLEMENTIZERS = foldedSet(['أن', 'إن', 'بأن', 'بان'])
/** أنه، إنها، بأنهم …: the pronoun is the subject of the reported words, so the word is kept. */
const ATTACHED_COMPLEMENTIZER = /^ب?ان(?:ه|ها|هم|هما|هن|نا|ني|ي|ك|كم)$/u

/** Words a speaker phrase may be followed by before the complementizer («في بيان»، «خلال مؤتمر»). */
const CIRCUMSTANTIAL_STARTERS = foldedSet([
  'في', 'خلال', 'عبر', 'أمام', 'لدى', 'عقب', 'بعد', 'أثناء', 'ضمن', 'يوم', 'أمس', 'اليوم', 'من', 'مساء', 'صباح',
  'حول', 'بشأن', 'ردا', 'رداً', 'تعليقا', 'تعليقاً', 'بدوره', 'بدورها', 'من جهته', 'بحسب', 'وفق',
])
const CIRCUMSTANTIAL_WINDOW = 7

/** Heads of job titles: «وزير الخارجية الفرنسي …», «المتحدثة باسم …». */
const TITLE_HEADS = foldedSet(
  [
    'وزير', 'وزيرة', 'رئيس', 'رئيسة', 'نائب', 'نائبة', 'مدير', 'مديرة', 'متحدث', 'متحدثة', 'ناطق', 'ناطقة', 'سفير',
    'سفيرة', 'مبعوث', 'مبعوثة', 'ممثل', 'ممثلة', 'مسؤول', 'مسؤولة', 'قائد', 'قائدة', 'عضو', 'محافظ', 'محافظة', 'مستشار',
    'مستشارة', 'أمين', 'أمينة', 'منسق', 'منسقة', 'مفوض', 'مفوضة', 'زعيم', 'زعيمة', 'رئيسة', 'الرئيس', 'الرئيسة',
  ].flatMap((w) => [w, `ال${w}`]),
)
/** Nouns that take one more word in a title or organization name («رئيس مجلس الوزراء»). */
const CHAIN_NOUNS = foldedSet([
  'وزراء', 'وزارة', 'مجلس', 'هيئة', 'لجنة', 'منظمة', 'حكومة', 'خارجية', 'داخلية', 'دفاع', 'مكتب', 'إدارة', 'حزب', 'حركة',
])
/** Heads of organization names: «وزارة الصحة»، «منظمة الإغاثة الدولية». */
const ORG_HEADS = foldedSet(
  [
    'وزارة', 'منظمة', 'حكومة', 'هيئة', 'مجلس', 'قوات', 'حزب', 'جمعية', 'وكالة', 'لجنة', 'مفوضية', 'رئاسة', 'قيادة', 'إدارة',
    'شرطة', 'جيش', 'برلمان', 'حركة', 'جبهة', 'مرصد', 'مكتب', 'اتحاد', 'بلدية', 'محكمة', 'نقابة', 'شركة', 'سفارة', 'مؤسسة',
    'تحالف', 'الأمم', 'منظمات',
  ].flatMap((w) => [w, `ال${w}`]),
)
/** Words that end a personal name after a title (compared lightly folded: على is not علي). */
const NAME_STOP: ReadonlySet<string> = new Set([
  'الأحد', 'الاثنين', 'الإثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت', 'الماضي', 'الحالي', 'المقبل',
  'صباح', 'مساء', 'ظهر', 'الليلة', 'الليل', 'الصباح', 'المساء',
  'في', 'خلال', 'أن', 'إن', 'بأن', 'إلى', 'الى', 'لى', 'على', 'عن', 'مع', 'يوم', 'أمس', 'اليوم', 'قد', 'قبل', 'بعد', 'لدى',
  'أمام', 'عبر', 'حول', 'ضمن', 'من', 'إنه', 'أنه', 'كما', 'أيضا', 'أيضاً', 'بدوره', 'بدورها', 'ما', 'لا', 'لم', 'لن', 'هذا',
  'هذه', 'التي', 'الذي', 'بيان', 'تصريح', 'تصريحات', 'مؤتمر', 'حديث', 'لقاء', 'مقابلة', 'وقال', 'وأضاف', 'بشأن', 'منذ',
].map(lightKey))
/** «وأضاف البيان أن …»: the statement speaks for whoever issued it. */
const DOCUMENT_NOUNS = foldedSet(['البيان', 'التقرير', 'الرسالة', 'التصريح'])

/** Words that join what follows rather than end a statement: trimmed from a quote's end. */
const TRAILING_CONNECTIVES = foldedSet(['و', 'كما', 'ثم', 'حيث', 'فيما', 'بينما'])

/** Sentences in the outlet's own voice start with these (after an optional و/ف). */
const EDITORIAL_OPENERS: readonly (readonly string[])[] = [
  ['الجدير', 'بالذكر'],
  ['جدير', 'بالذكر'],
  ['من', 'الجدير'],
  ['تجدر', 'الإشارة'],
  ['تجدر'],
  ['يذكر'],
  ['يشار'],
  ['للإشارة'],
  ['للعلم'],
  ['مع', 'العلم'],
].map((words) => words.map(foldKey))

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
// Speaker phrases

type PendingSpeaker =
  | {kind: 'known'; id: string}
  | {kind: 'person'; name: string; jobTitle?: string; affiliation?: string; phrase: string}
  | {kind: 'organization'; name: string}
  /** A title with no name («الوزير الفرنسي»): someone already named, else a new person so named. */
  | {kind: 'title'; phrase: string; words: string[]; affiliation?: string}
  /** «البيان»، «التقرير»: the document of the current speaker. */
  | {kind: 'current'}

interface SpeakerPhrase {
  speaker: PendingSpeaker
  /** Index of the phrase's last token. */
  last: number
}

const hasTrailingPunctuation = (t: Token): boolean => /[،,:：؛;.!?؟«»“”"]/.test(t.trail)
const opensWithMark = (t: Token): boolean => /[«“„"]/.test(t.lead)
const isComplementizer = (t: Token): boolean => COMPLEMENTIZERS.has(t.key) || ATTACHED_COMPLEMENTIZER.test(t.key)

function mentionAt(mentions: readonly Mention[], t: Token): Mention | undefined {
  return mentions.find((m) => m.start === t.start && m.type !== 'place')
}

function tokenEndingAt(tokens: readonly Token[], from: number, end: number): number {
  let i = from
  while (i + 1 < tokens.length && (tokens[i + 1] as Token).start < end) i++
  return i
}

/** Consume definite words (ال…/لل…) after index i while no punctuation intervenes. */
function definiteRun(tokens: readonly Token[], i: number): number {
  let last = i
  while (!hasTrailingPunctuation(tokens[last] as Token)) {
    const next = tokens[last + 1]
    if (!next || !isDefinite(next.key) || opensWithMark(next) || VERB_KEYS.has(next.key)) break
    last++
  }
  return last
}

/** Optional one-word (or chained two-word) complement of an indefinite head: «وزير خارجية فرنسا». */
function idafa(tokens: readonly Token[], i: number): number {
  const head = tokens[i] as Token
  const next = tokens[i + 1]
  if (hasTrailingPunctuation(head) || !next || opensWithMark(next) || NAME_STOP.has(next.light)) return i
  if (isComplementizer(next) || VERB_KEYS.has(next.key)) return i
  // a definite head («الوزير», «الوزارة») takes adjectives only: «الوزير الفرنسي»
  if (isDefinite(next.key) || isDefinite(head.key)) return definiteRun(tokens, i)
  const afterNext = CHAIN_NOUNS.has(next.key) ? idafa(tokens, i + 1) : i + 1
  return definiteRun(tokens, afterNext)
}

function parseSpeakerPhrase(
  line: string,
  tokens: readonly Token[],
  j: number,
  mentions: readonly Mention[],
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
      (started || !isDefinite(t.key)) &&
      !isComplementizer(t) &&
      !VERB_KEYS.has(t.key) &&
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
  }
  return undefined
}

function resolveSpeaker(pending: PendingSpeaker, ctx: StatementContext): string | undefined {
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
const stem = (word: string): string => word.replace(/^(?:ال|لل)/, '').replace(/ه$/, '')

/**
 * «الوزير الفرنسي» after «وزير الخارجية الفرنسي جان مارك»: the most recently named person whose
 * job title or names contain every word of the phrase.
 */
function anaphor(table: EntityTable, words: readonly string[]): string | undefined {
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
