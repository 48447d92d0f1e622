// The lake's query engine in this process, without HTTP: "evaluation alone" beside plain groq-js.
// It calls what the lake's query route calls (routes.ts handleQuery): viewOf + runQuery.
import {parsePerspective} from '../src/lake/perspective'
import {runQuery} from '../src/lake/planner'
import {parseQuery} from '../src/lake/query'
import {DocumentStore, type LakeDocument} from '../src/lake/store'
import {viewOf} from '../src/lake/views'

export function engineStore(docs: readonly LakeDocument[]): DocumentStore {
  const store = new DocumentStore()
  for (let i = 0; i < docs.length; i += 1000) store.apply(docs.slice(i, i + 1000).map((doc) => ({id: doc._id, doc})))
  return store
}

const API_VERSION = '2025-02-19'

/** A token holder's query with the default perspective of the bench's API version, as the route runs it. */
export async function engineQuery(store: DocumentStore, query: string, params: Record<string, unknown>): Promise<unknown> {
  const tree = parseQuery(query, params)
  const {result} = await runQuery(tree, viewOf(store, 'token', parsePerspective([], API_VERSION)), {
    params,
    identity: '',
    projectId: 'local',
    datasetName: 'production',
    timeoutMs: 600_000,
  })
  return result
}
