// Keeps the site current without a restart. Pages read the lake on every request (nothing cached);
// the one thing held in memory, the search index, follows the lake's listener: a full reload on every
// `welcome` (first connect and each reconnect, when events may have been missed), and a re-read of
// the documents named by each `mutation` event. The same events tell open pages to refresh (/api/live).
import type {SanityClient} from '@sanity/client'
import {searchCorpusByIdQuery, searchCorpusQuery} from '../queries'
import {SEARCH_TYPES, SearchIndex} from './search'

export interface LiveChange {
  /** The document id as the lake has it (`drafts.…` for a draft). */
  id: string
}

export interface Live {
  index: SearchIndex
  /** Resolves once the index holds the dataset (first `welcome` + load). */
  ready: Promise<void>
  /** Resolves when every event received so far has been applied to the index. */
  settled(): Promise<void>
  onChange(listener: (change: LiveChange) => void): () => void
  close(): void
}

const RETRY_MS = [500, 1000, 2000, 5000, 10000]

export function followLake(client: SanityClient, log: (line: string) => void): Live {
  const index = new SearchIndex()
  const raw = client.withConfig({perspective: 'raw'})
  const params = {types: [...SEARCH_TYPES]}
  const listeners = new Set<(change: LiveChange) => void>()
  let queue: Promise<void> = Promise.resolve()
  let pending = new Set<string>()
  let closed = false
  let failures = 0
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  // One step at a time, in the order events came: a reload then the events after it.
  const enqueue = (step: () => Promise<void>) => {
    queue = queue.then(step).catch((err: unknown) => {
      log(`site: could not update the search index from the lake: ${err instanceof Error ? err.message : String(err)}`)
    })
  }

  const reload = async () => {
    pending = new Set()
    const docs = await raw.fetch(searchCorpusQuery, params, {tag: 'site.search-index'})
    index.replaceAll(docs)
    markReady()
  }

  const flush = async () => {
    if (pending.size === 0) return
    const ids = [...pending]
    pending = new Set()
    const docs = await raw.fetch(searchCorpusByIdQuery, {...params, ids}, {tag: 'site.search-index'})
    const found = new Set(docs.map((d) => d._id))
    index.upsert(docs)
    index.remove(ids.filter((id) => !found.has(id)))
  }

  let subscription: {unsubscribe(): void} | undefined
  const subscribe = () => {
    subscription = client
      .listen('*[_type in $types]', params, {
        events: ['welcome', 'mutation', 'reconnect'],
        includeResult: false,
        visibility: 'query',
        tag: 'site.live',
      })
      .subscribe({
        next: (event) => {
          if (event.type === 'welcome') {
            failures = 0
            enqueue(reload)
          } else if (event.type === 'mutation') {
            pending.add(event.documentId)
            enqueue(flush)
            for (const listener of listeners) listener({id: event.documentId})
          }
        },
        error: (err: unknown) => {
          if (closed) return
          const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)] as number
          log(`site: the lake's listener stopped (${err instanceof Error ? err.message : String(err)}); reconnecting in ${wait} ms`)
          setTimeout(() => !closed && subscribe(), wait).unref()
        },
      })
  }
  subscribe()

  return {
    index,
    ready,
    settled: () => queue,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      closed = true
      subscription?.unsubscribe()
      listeners.clear()
    },
  }
}
