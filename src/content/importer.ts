// The public entry: agency page text → newsroom documents (article, quotes, people, organizations).
// Pure: no I/O, no clock, no randomness — the same input gives the same output.
import {
  addEntity,
  createEntityTable,
  findMentions,
  type EntityTable,
  type Mention,
} from './entities'
import {articleId, blockKey, quoteId, refKey, sourceKeyFor} from './keys'
import {parsePage} from './page'
import {buildBlock, type MentionRange, type QuoteRange} from './portableText'
import {slugify} from './slugify'
import {findStatements, type SpeakerState} from './statements'
import {structure} from './structure'
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
  /** The agency the page comes from: an organization id among `entities`, or the document itself. */
  agency?: string | OrganizationDoc
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
}

const reference = (_ref: string): KeyedReference => ({_type: 'reference', _ref, _key: refKey(_ref)})

export function importAgencyPage(text: string, options: ImportOptions): ImportResult {
  if (text.trim() === '') throw new Error('the page text is empty')
  const warnings: string[] = []
  const page = parsePage(text)
  for (const line of page.chrome) warnings.push(`line ${line.lineNumber}: page chrome dropped: «${line.text}»`)
  const {headline, lead, paragraphs} = structure(page.lines)

  const table = createEntityTable(options.entities)
  const agencyId = resolveAgency(table, options.agency, warnings)
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
  const quotes: QuoteDoc[] = []
  const body: Block[] = paragraphs.map((p, index) => {
    const where = `line ${p.lineNumber}`
    const bk = blockKey(index, p.text)
    const version = table.version
    let mentions = findMentions(table, p.text)
    const found =
      p.style === 'normal' ? findStatements(p.text, mentions, {table, state, warnings, where, articleKey: key}) : {statements: [], speakerMentions: []}
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
      })
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
    ...(subjects.length ? {subjects} : {}),
    ...listField('people', referenced.filter((r) => typeOf(r) === 'person')),
    ...listField('organizations', referenced.filter((r) => typeOf(r) === 'organization')),
    sourceText: text,
  }

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
  }
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

function resolveAgency(table: EntityTable, agency: ImportOptions['agency'], warnings: string[]): string | undefined {
  if (agency === undefined) {
    warnings.push('no source agency given: article.sourceAgency left out')
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
