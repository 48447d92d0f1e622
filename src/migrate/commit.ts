// Runs a @sanity/migrate migration through an ordinary @sanity/client. The package's own run()
// always talks to https://<projectId>.<apiHost>, which the local lake is not, so the
// migration's mutations are collected with collectMigrationMutations and committed here instead.
import type {Mutation as ApiMutation, SanityClient, SanityDocument} from '@sanity/client'
import {collectMigrationMutations, type Migration, type MigrationContext} from '@sanity/migrate'

type Yielded = Awaited<ReturnType<ReturnType<typeof collectMigrationMutations>['next']>>['value']
type MigrateMutation = Extract<NonNullable<Yielded>, {type: string}>

/** The migration's output as API transactions: one array of mutations per transaction it yields. */
export async function collectTransactions(migration: Migration, client: SanityClient): Promise<ApiMutation[][]> {
  const types = migration.documentTypes ?? []
  async function* documents(): AsyncIterableIterator<SanityDocument> {
    const filter = types.length ? '*[_type in $types]' : '*'
    for (const doc of await client.fetch<SanityDocument[]>(filter, {types}, {perspective: 'raw'})) yield doc
  }
  const context: MigrationContext = {
    // The runner hands migrations a restricted client; ours offers the same methods and more.
    client: client as unknown as MigrationContext['client'],
    dryRun: false,
    filtered: {
      getDocument: async <T,>(id: string) =>
        ((await client.fetch<T | null>('*[_id == $id][0]', {id}, {perspective: 'raw'})) ?? undefined),
      getDocuments: async <T,>(ids: string[]) => client.fetch<T[]>('*[_id in $ids]', {ids}, {perspective: 'raw'}),
    },
  }

  const transactions: ApiMutation[][] = []
  for await (const output of collectMigrationMutations(migration, documents, context)) {
    for (const item of Array.isArray(output) ? output : [output]) {
      if (item.type === 'transaction') transactions.push(item.mutations.map(toApiMutation))
      else transactions.push([toApiMutation(item as MigrateMutation)])
    }
  }
  return transactions
}

function toApiMutation(mutation: MigrateMutation): ApiMutation {
  switch (mutation.type) {
    case 'create':
      return {create: mutation.document as ApiMutation extends {create: infer D} ? D : never}
    case 'createIfNotExists':
      return {createIfNotExists: mutation.document}
    case 'createOrReplace':
      return {createOrReplace: mutation.document}
    case 'delete':
      return {delete: {id: mutation.id}}
    default:
      // Patches need @sanity/migrate's path encoding; no migration here yields them yet.
      throw new Error(
        `migration yielded a "${mutation.type}" mutation, which src/migrate/commit.ts cannot commit yet; use create, createIfNotExists, createOrReplace or delete`,
      )
  }
}
