// The public entry: news page text → newsroom documents (article, quotes, people, organizations).
// Pure: no I/O, no clock, no randomness — the same input gives the same output.
import {readAnatomy, type Anatomy, type LineDecision} from './anatomy'
import {foldKey} from './arabic'
import type {SpeakerState} from './context'
import {
  addEntity,
  createEntityTable,
  ensureOrganization,
  findMentions,
  lookupExact,
  type EntityTable,
  type Mention,
} from './entities'
import {articleId, blockKey, quoteId, refKey, sourceKeyFor} from './keys'
import type {PageLine} from './page'
import {buildBlock, type MentionRange, type QuoteRange} from './portableText'
import {slugify} from '../content/slugify'
import {headlineSpeaker} from './headline'
import {REVIEW_BELOW, findStatements} from './statements'
import type {Paragraph} from './structure'
import type {
  ArticleDoc,
  Block,
  KeyedReference,
  KnownEntities,
  NewsroomDoc,
  OrganizationDoc,
  PersonDoc,
  QuoteDoc,
} from './types'

export type {KnownEntities} from './types'

export interface ImportOptions {
  /** Key for ids (article-<key>, quote-<key>-<n>); default: a hash of the page text. */
  sourceKey?: string
  /** People, organizations and places the newsroom already knows. */
  entities: KnownEntities
  /**
   * The outlet the page comes from: an organization id among `entities`, the document itself, or
   * null for none. Left out, it is read from the page («المصدر: …», a dateline, the outlet's name).
   */
  agency?: string | OrganizationDoc | null
}

/** How one quote was found, for review. */
export interface QuoteFinding {
  quoteId: string
  cue: string
  confidence: number
  basis: string
  lineNumber: number
}

export interface ImportResult {
  article: ArticleDoc
  /** People referenced (known ones as given, new ones created from the text). */
  people: PersonDoc[]
  /** Organizations referenced, including people's affiliations and the source agency. */
  organizations: OrganizationDoc[]
  quotes: QuoteDoc[]
  /**
   * Everything, in dependency order: organizations, people, quotes, article. Quotes and the
   * article reference each other, so write them in one transaction.
   */
  documents: NewsroomDoc[]
  warnings: string[]
  /** What each page line was taken for, and why (headline, lead, body, or chrome with its kind). */
  decisions: LineDecision[]
  /** Where the headline and the outlet came from. */
  notes: string[]
  findings: QuoteFinding[]
}

const reference = (_ref: string): KeyedReference => ({_type: 'reference', _ref, _key: refKey(_ref)})

export function importAgencyPage(text: string, options: ImportOptions): ImportResult {
  if (text.trim() === '') throw new Error('the page text is empty')
  const anatomy = readAnatomy(text)
  const first = build(text, options, anatomy, anatomy.leadCandidate !== undefined)
  if (!anatomy.leadCandidate) return first
  // The first paragraph is the lead when it only restates what the body says (or says nothing
  // quotable); a paragraph with statements of its own stays in the body, where quotes are annotated.
  const leadBlock = first.article.body[0]
  const own = first.quotes.filter((q) => q.blockKey === leadBlock?._key)
  const rest = first.quotes.filter((q) => q.blockKey !== leadBlock?._key)
  const restated = (q: QuoteDoc): boolean => rest.some((r) => overlap(q.text, r.text) >= 0.6)
  // a statement whose cue names its own speaker («قال الوزير …»), not a continuation of someone else's
  const namesSpeaker = (q: QuoteDoc): boolean => !/^(?:the speaker named|the earlier|the last|quote marks|the issuer)/u.test(q.extraction?.basis ?? '')
  const strong = own.filter((q) => !WEAK_CUES.has(foldKey(q.extraction?.cue ?? '').replace(/^[وف]/u, '')) && namesSpeaker(q) && !restated(q))
  return strong.length > 0 ? first : build(text, options, anatomy, false)
}

/** Announcing verbs with a plain object («أعلنت الحكومة عزمها …»): a summary, which a lead may be. */
const WEAK_CUES = new Set(['اعلن', 'اعلنت', 'اعلنوا', 'نفى', 'نفت', 'نفوا', 'جدد', 'جددت', 'جددوا'].map(foldKey))

/** Share of the shorter text's words found in the other. */
function overlap(a: string, b: string): number {
  const wa = new Set(foldKey(a).split(' '))
  const wb = new Set(foldKey(b).split(' '))
  let shared = 0
  for (const w of wa) if (wb.has(w)) shared++
  return shared / Math.max(1, Math.min(wa.size, wb.size))
}

function build(text: string, options: ImportOptions, anatomy: Anatomy, leadAsBody: boolean): ImportResult {
  const warnings: string[] = []
  const notes: string[] = []
  for (const d of anatomy.decisions) {
    if (d.role === 'chrome') warnings.push(`line ${d.lineNumber}: page chrome dropped (${d.kind ?? 'chrome'}: ${d.reason}): «${d.text}»`)
  }
  notes.push(`headline: ${anatomy.headline.lineNumber ? `line ${anatomy.headline.lineNumber}` : 'made up'} (${anatomy.headline.reason})`)
  if (!anatomy.headline.lineNumber) warnings.push(`${anatomy.headline.reason}: check the headline «${anatomy.headline.text}»`)
  const headline = anatomy.headline
  const lead: PageLine | undefined = leadAsBody ? undefined : anatomy.leadCandidate
  const paragraphs: Paragraph[] = [
    ...(leadAsBody && anatomy.leadCandidate ? [{...anatomy.leadCandidate, style: 'normal' as const}] : []),
    ...anatomy.paragraphs,
  ]
  const decisions = anatomy.decisions.map((d) =>
    d.role === 'lead' && leadAsBody ? {...d, role: 'body' as const, reason: 'the first paragraph: it carries statements of its own, so it stays in the body'} : d,
  )

  const table = createEntityTable(options.entities)
  const agencyId = resolveAgency(table, options.agency, anatomy, warnings, notes)
  const key = sourceKeyFor(text, options.sourceKey)
  const id = articleId(key)

  const referenced: string[] = []
  const subjects: string[] = []
  const note = (mentions: readonly Mention[]): void => {
    for (const m of mentions) {
      const list = m.type === 'place' ? subjects : referenced
      if (!list.includes(m.id)) list.push(m.id)
    }
  }
  note(findMentions(table, headline.text))
  if (lead) note(findMentions(table, lead.text))

  const state: SpeakerState = {}
  let fallbackId: string | undefined | null = null
  const fallback = (): string | undefined => {
    if (fallbackId === null) fallbackId = headlineSpeaker(table, headline.text, key)
    if (fallbackId) warnings.push(`a statement before any speaker is named: attributed to the one the headline names`)
    return fallbackId
  }
  const quotes: QuoteDoc[] = []
  const findings: QuoteFinding[] = []
  let earlier = `${headline.text}\n${lead ? `${lead.text}\n` : ''}`
  const body: Block[] = paragraphs.map((p, index) => {
    const where = `line ${p.lineNumber}`
    const bk = blockKey(index, p.text)
    const version = table.version
    let mentions = findMentions(table, p.text)
    const found =
      p.style === 'normal'
        ? findStatements(p.text, mentions, {table, state, warnings, where, lineNumber: p.lineNumber, articleKey: key, fallback, earlier})
        : {statements: [], speakerMentions: []}
    earlier += `${p.text}\n`
    const statements = found.statements
    // a speaker new to the newsroom was added: find their name in this paragraph too
    if (table.version !== version) mentions = findMentions(table, p.text)
    mentions = mergeMentions(mentions, found.speakerMentions)
    note(mentions)
    const quoteRanges: QuoteRange[] = statements.map((s) => {
      const qid = quoteId(key, quotes.length + 1)
      if (!referenced.includes(s.speakerId)) referenced.push(s.speakerId)
      const inside = mentions.filter((m) => m.start >= s.start && m.end <= s.end)
      const about = unique(inside.filter((m) => m.type !== 'place' && m.id !== s.speakerId).map((m) => m.id))
      const quoteSubjects = unique(inside.filter((m) => m.type === 'place').map((m) => m.id))
      const confidence = Math.round(s.confidence * 100) / 100
      quotes.push({
        _id: qid,
        _type: 'quote',
        text: p.text.slice(s.start, s.end),
        speaker: {_type: 'reference', _ref: s.speakerId},
        kind: s.kind,
        article: {_type: 'reference', _ref: id},
        blockKey: bk,
        language: 'ar',
        ...(about.length ? {about: about.map(reference)} : {}),
        ...(quoteSubjects.length ? {subjects: quoteSubjects} : {}),
        extraction: {cue: s.cue, confidence, basis: s.basis},
        ...(s.confidence < REVIEW_BELOW ? {review: {needed: true, reason: `low-confidence attribution (${confidence}): ${s.basis}`}} : {}),
      })
      findings.push({quoteId: qid, cue: s.cue, confidence, basis: s.basis, lineNumber: p.lineNumber})
      return {start: s.start, end: s.end, quoteId: qid}
    })
    const mentionRanges: MentionRange[] = mentions
      .filter((m) => m.type !== 'place')
      .map((m) => ({start: m.start, end: m.end, targetId: m.id}))
    return buildBlock({key: bk, style: p.style, text: p.text, quotes: quoteRanges, mentions: mentionRanges})
  })

  const typeOf = (ref: string): string | undefined => table.entities.get(ref)?.doc._type
  const article: ArticleDoc = {
    _id: id,
    _type: 'article',
    headline: headline.text,
    ...(lead ? {lead: lead.text} : {}),
    slug: {_type: 'slug', current: slugify(headline.text)},
    language: 'ar',
    body,
    ...(agencyId ? {sourceAgency: {_type: 'reference', _ref: agencyId}} : {}),
    ...(anatomy.byline ? {byline: anatomy.byline} : {}),
    ...(anatomy.publishedAt ? {publishedAt: toDateTime(anatomy.publishedAt.value)} : {}),
    ...(subjects.length ? {subjects} : {}),
    ...listField('people', referenced.filter((r) => typeOf(r) === 'person')),
    ...listField('organizations', referenced.filter((r) => typeOf(r) === 'organization')),
    sourceText: text,
  }
  if (anatomy.publishedAt) {
    notes.push(`publishedAt: ${article.publishedAt} (line ${anatomy.publishedAt.lineNumber}${/[Z+-]\d*:?\d*$/.test(anatomy.publishedAt.value) && anatomy.publishedAt.value.includes('T') ? '' : ', no time zone stated: UTC assumed'})`)
  }
  if (anatomy.dateline) notes.push(`dateline: «${anatomy.dateline.text}» (line ${anatomy.dateline.lineNumber})`)

  // every entity any document points at, in first-use order; affiliations come along
  const needed = [...referenced]
  if (agencyId && !needed.includes(agencyId)) needed.push(agencyId)
  for (const q of quotes) for (const r of [q.speaker._ref, ...(q.about ?? []).map((a) => a._ref)]) if (!needed.includes(r)) needed.push(r)
  const people: PersonDoc[] = []
  const organizations: OrganizationDoc[] = []
  for (let i = 0; i < needed.length; i++) {
    const doc = table.entities.get(needed[i] as string)?.doc
    if (!doc) {
      warnings.push(`reference to unknown document ${needed[i]}`)
      continue
    }
    if (doc._type === 'person') {
      people.push(doc)
      const aff = doc.affiliation?._ref
      if (aff && !needed.includes(aff)) needed.push(aff)
    } else organizations.push(doc)
  }

  for (const q of quotes) if (!text.includes(q.text)) warnings.push(`${q._id}: text is not in the source`)
  return {
    article,
    people,
    organizations,
    quotes,
    documents: [...organizations, ...people, ...quotes, article],
    warnings,
    decisions,
    notes,
    findings,
  }
}

/** «2025-08-12» → midnight UTC; a time without a zone is taken as UTC (noted by the caller). */
function toDateTime(value: string): string {
  if (!value.includes('T')) return `${value}T00:00:00Z`
  const [date, rest] = value.split('T') as [string, string]
  const m = /^(\d{2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:\d{2})?$/.exec(rest)
  if (!m) return `${date}T00:00:00Z`
  return `${date}T${m[1]}${m[2] ?? ':00'}${m[3] ?? 'Z'}`
}

/** Add mentions that overlap none already there; keep text order. */
function mergeMentions(mentions: readonly Mention[], extra: readonly Mention[]): Mention[] {
  const out = [...mentions]
  for (const m of extra) if (!out.some((o) => o.start < m.end && m.start < o.end)) out.push(m)
  return out.sort((a, b) => a.start - b.start)
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)]
}

function listField<K extends 'people' | 'organizations'>(name: K, ids: readonly string[]): Partial<Record<K, KeyedReference[]>> {
  return ids.length ? ({[name]: ids.map(reference)} as Partial<Record<K, KeyedReference[]>>) : {}
}

function resolveAgency(
  table: EntityTable,
  agency: ImportOptions['agency'],
  anatomy: Anatomy,
  warnings: string[],
  notes: string[],
): string | undefined {
  if (agency === null) return undefined
  if (agency === undefined) {
    for (const outlet of anatomy.outlets) {
      const known = lookupExact(table, outlet.name)
      const id = known ?? ensureOrganization(table, outlet.name, 'newsAgency')
      if (table.entities.get(id)?.doc._type !== 'organization') continue
      notes.push(`source outlet: ${outlet.name} (${outlet.reason}${known ? ', known to the newsroom' : ', new organization'})`)
      return id
    }
    warnings.push('no source agency given and none found on the page (no «المصدر», dateline or outlet name): article.sourceAgency left out')
    return undefined
  }
  if (typeof agency !== 'string') {
    if (!table.entities.has(agency._id)) addEntity(table, structuredClone(agency), false)
    return agency._id
  }
  const doc = table.entities.get(agency)?.doc
  if (doc?._type === 'organization') return agency
  warnings.push(`source agency ${agency} is not a known organization: article.sourceAgency left out`)
  return undefined
}
