// Writing imported pages through the API (the local lake or a hosted project), idempotently like the
// seed: documents already in the dataset are left as they are (an editor may have changed them), so
// a second run creates nothing. The people and organizations the dataset already holds are read
// first, so a page's speakers are matched against them, not only against seed/entities.ts.
import type {Mutation, SanityClient} from '@sanity/client'
import {reconcile, type DocumentLike, type Reconciliation} from '../content/reconcile'
import type {KnownEntities, NewsroomDoc, OrganizationDoc, PersonDoc} from './types'

const ENTITY_FIELDS = '_id, _type, name, nameLatin, aliases, shortNames, kind, jobTitle, affiliation, slug, sameAs'

/** The published people and organizations in the dataset, with the forms they go by. */
export async function datasetEntities(client: SanityClient): Promise<{people: PersonDoc[]; organizations: OrganizationDoc[]}> {
  const query = `*[_type == $type && !(_id in path("drafts.**"))]{${ENTITY_FIELDS}}`
  const clean = <T extends object>(doc: T): T =>
    Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== null && v !== undefined)) as T
  const [people, organizations] = await Promise.all([
    client.fetch<PersonDoc[]>(query, {type: 'person'}, {perspective: 'raw'}),
    client.fetch<OrganizationDoc[]>(query, {type: 'organization'}, {perspective: 'raw'}),
  ])
  return {people: people.map(clean), organizations: organizations.map(clean)}
}

/** `known`, with the dataset's documents in place of (or beside) the ones of the same id. */
export function withDataset(known: KnownEntities, dataset: {people: PersonDoc[]; organizations: OrganizationDoc[]}): KnownEntities {
  const replace = <T extends {_id: string}>(base: readonly T[], extra: readonly T[]): T[] => {
    const ids = new Set(extra.map((d) => d._id))
    return [...base.filter((d) => !ids.has(d._id)), ...extra]
  }
  return {...known, people: replace(known.people, dataset.people), organizations: replace(known.organizations, dataset.organizations)}
}

/** Fields the importer sets about its own work, not the content. */
const IMPORT_METADATA = new Set(['extraction', 'review'])

export interface WriteReport {
  plan: Reconciliation<NewsroomDoc>
  /** Mutations the API applied (createIfNotExists of the missing documents). */
  written: number
}

/**
 * Create the documents the dataset lacks, in one transaction (an article and its quotes reference
 * each other), and report what was already there.
 */
export async function writeDocuments(client: SanityClient, documents: readonly NewsroomDoc[]): Promise<WriteReport> {
  const ids = documents.flatMap((doc) => [doc._id, `drafts.${doc._id}`])
  const existing = await client.fetch<DocumentLike[]>('*[_id in $ids]', {ids}, {perspective: 'raw'})
  const raw = reconcile(documents, existing)
  // how sure the importer was depends on what the dataset knew at the time, and editors clear
  // «review»: neither is a change of content
  const metaOnly = (fields: readonly string[]): boolean => fields.every((f) => IMPORT_METADATA.has(f))
  const plan: Reconciliation<NewsroomDoc> = {
    ...raw,
    unchanged: [...raw.unchanged, ...raw.changed.filter((c) => metaOnly(c.fields)).map((c) => c.document)],
    changed: raw.changed.filter((c) => !metaOnly(c.fields)),
  }
  if (plan.missing.length === 0) return {plan, written: 0}
  const mutations: Mutation[] = plan.missing.map((doc) => ({createIfNotExists: {...doc}}))
  const result = await client.transaction(mutations).commit({visibility: 'sync'})
  return {plan, written: result.results.filter((r) => r.operation === 'create').length}
}
