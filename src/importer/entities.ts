// Name and alias resolution: which person, organization or place a stretch of text names.
// Matching is done on folded text (see arabic.ts) and tolerates the prefixes و ف ب ل ك ال لل;
// offsets always point into the original, verbatim text.
import {fold, foldKey} from './arabic'
import {newEntityId} from './keys'
import {slugify} from '../content/slugify'
import type {EntityDoc, KnownEntities, KnownPlace, OrganizationDoc, OrganizationKind, PersonDoc, Reference} from './types'

export type MentionType = 'person' | 'organization' | 'place'

export interface Mention {
  /** Offsets in the original text; the range includes attached prefixes (والأمم المتحدة, لداعش). */
  start: number
  end: number
  type: MentionType
  /** Entity _id, or for a place its subject string. */
  id: string
}

interface Surface {
  type: MentionType
  id: string
  folded: string
  contextual: boolean
  re: RegExp
}

export interface EntityRecord {
  doc: EntityDoc
  isNew: boolean
}

export interface EntityTable {
  entities: Map<string, EntityRecord>
  surfaces: Surface[]
  /** Entities named so far in the article, in order (for context aliases and anaphora). */
  seen: string[]
  /** Bumped whenever an entity is added, so callers know to look for mentions again. */
  version: number
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}\\p{M}])'
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}\\p{M}])'

/** Regex over folded text for one surface form, allowing Arabic proclitics. */
export function surfaceRegex(folded: string): RegExp {
  const body = (s: string): string => s.split(' ').map(escapeRegExp).join(' +')
  if (/^[a-z0-9]/.test(folded)) return new RegExp(`${NOT_WORD_BEFORE}${body(folded)}${NOT_WORD_AFTER}`, 'gu')
  if (folded.startsWith('ال') && folded.length > 3) {
    // والأمم، بالأمم، كالأمم، فالأمم … and للأمم (ل + ال → لل)
    return new RegExp(
      `${NOT_WORD_BEFORE}(?:[وف]?[بك]?${body(folded)}|[وف]?لل${body(folded.slice(2))})${NOT_WORD_AFTER}`,
      'gu',
    )
  }
  return new RegExp(`${NOT_WORD_BEFORE}[وف]?[بلك]?${body(folded)}${NOT_WORD_AFTER}`, 'gu')
}

function namesOf(doc: EntityDoc): string[] {
  const names = [doc.name, doc.nameLatin, ...(doc.aliases ?? [])]
  if (doc._type === 'organization') names.push(...(doc.shortNames ?? []))
  return names.filter((n): n is string => typeof n === 'string' && n.trim() !== '')
}

function addSurface(table: EntityTable, type: MentionType, id: string, form: string, contextual: boolean): void {
  const folded = foldKey(form)
  if (folded.length < 2) return
  const existing = table.surfaces.find((s) => s.folded === folded && s.id === id)
  if (existing) {
    existing.contextual = existing.contextual && contextual
    return
  }
  table.surfaces.push({type, id, folded, contextual, re: surfaceRegex(folded)})
}

/** Register an entity and the forms it goes by. Context aliases only match once it has been named. */
export function addEntity(table: EntityTable, doc: EntityDoc, isNew: boolean, contextAliases: readonly string[] = []): void {
  if (!table.entities.has(doc._id)) table.entities.set(doc._id, {doc, isNew})
  const contextual = new Set(contextAliases.map(foldKey))
  for (const name of namesOf(doc)) addSurface(table, doc._type, doc._id, name, contextual.has(foldKey(name)))
  for (const alias of contextAliases) addSurface(table, doc._type, doc._id, alias, true)
  table.version++
}

/** The subject string for a place: its name, and where it is when known (سجن الصناعة، الحسكة). */
export const placeSubject = (place: KnownPlace): string =>
  place.locatedIn ? `${place.name}، ${place.locatedIn}` : place.name

export function createEntityTable(known: KnownEntities): EntityTable {
  const table: EntityTable = {entities: new Map(), surfaces: [], seen: [], version: 0}
  const ctx = known.contextAliases ?? {}
  for (const org of known.organizations) addEntity(table, structuredClone(org), false, ctx[org._id])
  for (const person of known.people) addEntity(table, structuredClone(person), false, ctx[person._id])
  for (const place of known.places ?? []) {
    const subject = placeSubject(place)
    for (const form of [place.name, place.nameLatin, ...(place.aliases ?? [])]) {
      if (form) addSurface(table, 'place', subject, form, false)
    }
  }
  return table
}

export function markSeen(table: EntityTable, id: string): void {
  const at = table.seen.indexOf(id)
  if (at >= 0) table.seen.splice(at, 1)
  table.seen.push(id)
}

/**
 * Mentions in a text, left to right, longest match first, without overlaps. A context alias only
 * counts when its entity was named before (earlier in the article or earlier in this text).
 */
export function findMentions(table: EntityTable, text: string): Mention[] {
  const {text: folded, map} = fold(text)
  interface Candidate {
    start: number
    end: number
    surface: Surface
  }
  const candidates: Candidate[] = []
  for (const surface of table.surfaces) {
    surface.re.lastIndex = 0
    for (let m = surface.re.exec(folded); m; m = surface.re.exec(folded)) {
      candidates.push({start: m.index, end: m.index + m[0].length, surface})
      if (m[0].length === 0) surface.re.lastIndex++
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start))
  const mentions: Mention[] = []
  let taken = 0
  for (const c of candidates) {
    if (c.start < taken) continue
    if (c.surface.contextual && !table.seen.includes(c.surface.id)) continue
    mentions.push({start: map[c.start] as number, end: map[c.end] as number, type: c.surface.type, id: c.surface.id})
    if (c.surface.type !== 'place') markSeen(table, c.surface.id)
    taken = c.end
  }
  // original end: stop before any trailing space the map may point past
  return mentions.map((m) => ({...m, end: trimEnd(text, m.start, m.end)}))
}

function trimEnd(text: string, start: number, end: number): number {
  let e = end
  while (e > start && /\s/.test(text[e - 1] as string)) e--
  return e
}

/** The entity (person or organization) whose known forms equal this phrase exactly, if any. */
export function lookupExact(table: EntityTable, phrase: string): string | undefined {
  const folded = foldKey(phrase)
  return table.surfaces.find((s) => s.folded === folded && s.type !== 'place')?.id
}

const ORG_KIND_BY_HEAD: ReadonlyArray<[string, OrganizationKind]> = [
  ['وزاره', 'ministry'],
  ['حكومه', 'government'],
  ['رياسه', 'government'],
  ['قوات', 'armedGroup'],
  ['جيش', 'armedGroup'],
  ['الامم', 'intergovernmental'],
  ['تحالف', 'coalition'],
  ['وكاله انباء', 'newsAgency'],
]

export interface NewPersonSpec {
  name: string
  jobTitle?: string
  affiliation?: string
  /** The whole phrase the text uses (title + name), kept as an alias. */
  phrase?: string
  /** For someone the text does not name («مسؤول أمريكي»): the article key, so ids differ per article. */
  scope?: string
}

/** A person the text names but the newsroom does not know: a new document named as the text names them. */
export function ensurePerson(table: EntityTable, spec: NewPersonSpec): string {
  const known = lookupExact(table, spec.phrase ?? spec.name) ?? lookupExact(table, spec.name)
  if (known) return known
  const _id = newEntityId('person', spec.scope ? `${spec.scope}|${foldKey(spec.name)}` : foldKey(spec.name), spec.name)
  // a scoped person's slug carries the id's hash too, so two articles' «مسؤول أمريكي» do not clash
  const slugSource = spec.scope ? `${spec.name} ${_id.slice(_id.lastIndexOf('-') + 1)}` : spec.name
  const doc: PersonDoc = {
    _id,
    _type: 'person',
    name: spec.name,
    slug: {_type: 'slug', current: slugify(slugSource)},
    ...(spec.jobTitle ? {jobTitle: spec.jobTitle} : {}),
    ...(spec.affiliation ? {affiliation: {_type: 'reference', _ref: spec.affiliation} satisfies Reference} : {}),
    ...(spec.phrase && foldKey(spec.phrase) !== foldKey(spec.name) ? {aliases: [spec.phrase]} : {}),
  }
  // the job title alone («وزير الخارجية الفرنسي») names them later in the same article
  addEntity(table, doc, true, spec.jobTitle ? [spec.jobTitle] : [])
  return doc._id
}

/** An organization the text names but the newsroom does not know. */
export function ensureOrganization(table: EntityTable, name: string, kindHint?: OrganizationKind): string {
  const known = lookupExact(table, name)
  if (known) return known
  const folded = foldKey(name)
  const bare = folded.startsWith('ال') ? folded.slice(2) : folded
  const kind = kindHint ?? ORG_KIND_BY_HEAD.find(([head]) => bare.startsWith(head))?.[1] ?? 'other'
  const doc: OrganizationDoc = {
    _id: newEntityId('organization', folded, name),
    _type: 'organization',
    name,
    kind,
    slug: {_type: 'slug', current: slugify(name)},
  }
  addEntity(table, doc, true)
  return doc._id
}
