import {badRequest} from './errors'
import type {History, Revision} from './history'
import {draftIdOf, isDraftId, isVersionId, publishedIdOf, releaseOf} from './ids'
import {mendozaEffects} from './mendozaDiff'
import type {DocumentStore, LakeDocument} from './store'

/**
 * The history API over history.ts: `data/history/{dataset}/transactions/{ids}` (NDJSON),
 * `documents/{ids}?revision=|time=|lastRevision=` and `events/documents/{id}` (the document
 * group's timeline that Studio 5 shows in its History panel).
 *
 * Field names and parameters follow what hosted Sanity sends and what the Studio 5 code reads
 * (sanity/lib: getDocumentTransactions, getTransactionsLogs, getInitialFetchEvents, addEventId,
 * restore). Where the Studio is the only reference, the comments say so.
 */

interface Source {
  history: History
  store: DocumentStore
}

/** Reads each revision once per request. */
function reader(history: History): (id: string, revision: Revision) => LakeDocument | null {
  const cache = new Map<Revision, LakeDocument | null>()
  return (id, revision) => {
    if (!cache.has(revision)) cache.set(revision, history.read(id, revision))
    return cache.get(revision)!
  }
}

function flag(value: string | null): boolean {
  return value === 'true' || value === '1' || value === ''
}

function positiveInt(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw badRequest(`"${name}" must be a positive whole number, got ${JSON.stringify(value.slice(0, 40))}`)
  return n
}

function time(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw badRequest(`"${name}" must be an ISO 8601 time (e.g. 2025-01-31T12:00:00Z), got ${JSON.stringify(value.slice(0, 40))}`)
  return t
}

/**
 * The transactions that touched `ids`, oldest first (newest first with `reverse`), as NDJSON lines:
 * `{id, timestamp, author, documentIDs, mutations?, effects?}`. `fromTransaction`/`toTransaction`
 * are inclusive (the Studio counts on it). `documentIDs` names only the asked ids, as with
 * `includeIdentifiedDocumentsOnly=true` (which the Studio always sends). `mutations` are the
 * resulting documents as createOrReplace/delete: the log keeps results, not the patches sent.
 */
export function transactionLines({history}: Source, ids: string[], q: URLSearchParams): string[] {
  const read = reader(history)
  const byTx = new Map<number, {revisions: Array<{id: string; revision: Revision; previous: Revision | undefined}>}>()
  for (const id of new Set(ids)) {
    const list = history.revisions(id)
    list.forEach((revision, i) => {
      let entry = byTx.get(revision.tx.seq)
      if (!entry) byTx.set(revision.tx.seq, (entry = {revisions: []}))
      entry.revisions.push({id, revision, previous: list[i - 1]})
    })
  }
  let seqs = [...byTx.keys()].sort((a, b) => a - b)
  const fromTx = q.get('fromTransaction')
  const toTx = q.get('toTransaction')
  const from = fromTx ? history.transaction(fromTx)?.seq : undefined
  const to = toTx ? history.transaction(toTx)?.seq : undefined
  const fromTime = time(q.get('fromTime'), 'fromTime')
  const toTime = time(q.get('toTime'), 'toTime')
  const authors = q.get('authors') ? new Set(q.get('authors')!.split(',')) : null
  seqs = seqs.filter((seq) => {
    const tx = byTx.get(seq)!.revisions[0]!.revision.tx
    if (from !== undefined && seq < from) return false
    if (to !== undefined && seq > to) return false
    const t = Date.parse(tx.timestamp)
    if (fromTime !== undefined && t < fromTime) return false
    if (toTime !== undefined && t > toTime) return false
    return !authors || authors.has(tx.author)
  })
  if (flag(q.get('reverse'))) seqs.reverse()
  const limit = positiveInt(q.get('limit'), 'limit')
  if (limit !== undefined) seqs = seqs.slice(0, limit)

  const withMutations = !flag(q.get('excludeContent')) && !flag(q.get('excludeMutations'))
  const effectFormat = q.get('effectFormat')
  if (effectFormat !== null && effectFormat !== 'mendoza') throw badRequest(`Unsupported effectFormat "${effectFormat.slice(0, 40)}": only "mendoza" is supported`)
  return seqs.map((seq) => {
    const {revisions} = byTx.get(seq)!
    const tx = revisions[0]!.revision.tx
    const line: Record<string, unknown> = {id: tx.id, timestamp: tx.timestamp, author: tx.author, documentIDs: revisions.map((r) => r.id)}
    if (withMutations) {
      line.mutations = revisions.map(({id, revision}) => {
        const doc = read(id, revision)
        return doc ? {createOrReplace: doc} : {delete: {id}}
      })
    }
    if (effectFormat === 'mendoza') {
      const effects: Record<string, unknown> = {}
      for (const {id, revision, previous} of revisions) {
        const after = read(id, revision)
        if (previous || !revision.existed) {
          effects[id] = mendozaEffects(previous ? read(id, previous) : null, after)
        } else {
          // The revision before is past the history bound: rebuilding from here on still works,
          // going back further cannot.
          effects[id] = {apply: [0, after], revert: [0, after]}
        }
      }
      line.effects = effects
    }
    return JSON.stringify(line)
  })
}

/** What `id` was right after transaction `seq` (undefined: did not exist, or nothing is known). */
function stateAt(history: History, read: ReturnType<typeof reader>, id: string, seq: number): LakeDocument | undefined {
  const list = history.revisions(id)
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]!.tx.seq <= seq) return read(id, list[i]!) ?? undefined
  }
  return undefined
}

function revisionOf(history: History, read: ReturnType<typeof reader>, id: string, rev: string): LakeDocument | undefined {
  const list = history.revisions(id)
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list[i]!
    if (r.rev === rev || (r.tx.id === rev && r.rev !== null)) return read(id, r) ?? undefined
  }
  return undefined
}

/**
 * `documents/{ids}`: each document as it was. `revision=<rev>`: the document's revision `_rev`;
 * for a document the transaction did not touch, its state as of that transaction. The Studio's
 * History panel shows the draft (`drafts.<id>`) also for revisions of the published document,
 * so a draft or version id asked alone, without such a revision, gets the published document's.
 * `time=<iso>`: the last revision at or before then. `lastRevision=true`: the current document,
 * or the last one before it was deleted. Neither: as of now.
 */
export function historyDocuments({history, store}: Source, ids: string[], q: URLSearchParams): LakeDocument[] {
  const read = reader(history)
  const revision = q.get('revision')
  const at = q.get('time')
  const last = flag(q.get('lastRevision'))
  if ([revision !== null, at !== null, last].filter(Boolean).length > 1) {
    throw badRequest('Give only one of "revision", "time" and "lastRevision": each names a point in the history')
  }
  const out: LakeDocument[] = []
  if (revision !== null) {
    const tx = history.transaction(revision)
    for (const id of ids) {
      const current = store.get(id)
      const doc =
        revisionOf(history, read, id, revision) ??
        (tx ? stateAt(history, read, id, tx.seq) : undefined) ??
        (current?._rev === revision ? current : undefined)
      if (doc) out.push(doc)
    }
    if (out.length === 0 && ids.length === 1 && (isDraftId(ids[0]!) || isVersionId(ids[0]!))) {
      const published = publishedIdOf(ids[0]!)
      const doc = revisionOf(history, read, published, revision) ?? (store.get(published)?._rev === revision ? store.get(published) : undefined)
      if (doc) out.push(doc)
    }
    return out
  }
  if (last) {
    for (const id of ids) {
      const current = store.get(id)
      if (current) {
        out.push(current)
        continue
      }
      const list = history.revisions(id)
      for (let i = list.length - 1; i >= 0; i--) {
        const doc = read(id, list[i]!)
        if (doc) {
          out.push(doc)
          break
        }
      }
    }
    return out
  }
  const until = time(at, 'time') ?? Date.now()
  for (const id of ids) {
    const list = history.revisions(id)
    let found: Revision | undefined
    for (let i = list.length - 1; i >= 0 && !found; i--) if (Date.parse(list[i]!.tx.timestamp) <= until) found = list[i]
    if (found) {
      const doc = read(id, found)
      if (doc) out.push(doc)
    } else if (list.length === 0) {
      // No kept revision: a document from before the history began, unchanged since.
      const current = store.get(id)
      if (current && Date.parse(current._updatedAt) <= until) out.push(current)
    }
  }
  return out
}

type Event = Record<string, unknown>

/**
 * `events/documents/{id}`: the document group's events, newest first, in the shape Studio 5's
 * events timeline reads (createDocumentVersion, publishDocumentVersion, unpublishDocument,
 * deleteDocumentVersion, deleteDocumentGroup). Edits of a draft are not events: the Studio
 * makes them from `transactions`. A published document written directly (not published from a
 * draft, e.g. by a script) shows as created, then as published, without `versionRevisionId`.
 * `nextCursor` pages backwards; '' when there is no more.
 */
export function documentEvents({history, store}: Source, id: string, q: URLSearchParams): {events: Record<string, Event[]>; nextCursor: string} {
  const published = publishedIdOf(id)
  const variant = isVersionId(id) ? id : draftIdOf(published)
  const releaseId = releaseOf(variant) ?? ''
  const pList = history.revisions(published)
  const vList = history.revisions(variant)
  const seqs = [...new Set([...pList, ...vList].map((r) => r.tx.seq))].sort((a, b) => a - b)
  const pAt = new Map(pList.map((r) => [r.tx.seq, r]))
  const vAt = new Map(vList.map((r) => [r.tx.seq, r]))
  // What existed before the first kept revision: its `existed`, or now if nothing was kept.
  let pExists = pList.length > 0 ? pList[0]!.existed : store.has(published)
  let vExists = vList.length > 0 ? vList[0]!.existed : store.has(variant)
  let vRev: string | undefined
  const events: Event[] = []
  for (const seq of seqs) {
    const p = pAt.get(seq)
    const v = vAt.get(seq)
    const tx = (p ?? v)!.tx
    const base = {id: tx.id, timestamp: tx.timestamp, author: tx.author, documentId: published}
    const pAfter = p ? p.rev !== null : pExists
    const vAfter = v ? v.rev !== null : vExists
    if (p && pAfter && v && vExists && !vAfter) {
      events.push({
        ...base,
        type: 'publishDocumentVersion',
        revisionId: p.rev,
        versionId: variant,
        releaseId,
        ...(vRev ? {versionRevisionId: vRev} : {}),
        publishCause: releaseId ? 'release.publish' : 'document.publish',
      })
    } else if (p && pExists && !pAfter) {
      if (vAfter) events.push({...base, type: 'unpublishDocument', versionId: variant, versionRevisionId: v?.rev ?? tx.id, releaseId})
      else events.push({...base, type: 'deleteDocumentGroup'})
    } else if (p && pAfter) {
      if (!pExists) events.push({...base, type: 'createDocumentVersion', versionId: published, releaseId: '', revisionId: p.rev, versionRevisionId: p.rev})
      else events.push({...base, type: 'publishDocumentVersion', revisionId: p.rev, versionId: variant, releaseId: '', publishCause: 'document.publish'})
      if (v && !vExists && vAfter) events.push({...base, type: 'createDocumentVersion', versionId: variant, releaseId, versionRevisionId: v.rev})
    } else if (v && !vExists && vAfter) {
      events.push({...base, type: 'createDocumentVersion', versionId: variant, releaseId, versionRevisionId: v.rev})
    } else if (v && vExists && !vAfter) {
      events.push({...base, type: 'deleteDocumentVersion', versionId: variant, releaseId, versionRevisionId: tx.id})
    }
    pExists = pAfter
    vExists = vAfter
    if (v) vRev = v.rev ?? undefined
  }
  events.reverse()
  const cursor = q.get('nextCursor')
  let from = 0
  if (cursor) {
    const at = events.findIndex((e) => e.id === cursor)
    from = at === -1 ? events.length : at + 1
  }
  const limit = positiveInt(q.get('limit'), 'limit') ?? 100
  const page = events.slice(from, from + limit)
  const more = from + limit < events.length
  return {events: {[id]: page}, nextCursor: more ? String(page[page.length - 1]!.id) : ''}
}
