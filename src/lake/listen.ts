import type {ExprNode} from 'groq-js'
import type {CommittedTransaction, Dataset} from './dataset'
import {isVersionId, randomId} from './ids'
import type {LakeResponse} from './http'
import {matchesQuery} from './query'

export interface ListenOptions {
  tree: ExprNode
  params: Record<string, unknown>
  includeResult: boolean
  includePreviousRevision: boolean
  includeMutations: boolean
  includeAllVersions: boolean
  effectFormat: 'mendoza' | null
  keepAliveMs: number
}

/** A slow reader that lets this much pile up is dropped rather than grow the server's memory. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

function sse(event: string, data: unknown, id?: string): string {
  return `event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`
}

/**
 * Serves one `data/listen` connection as Server-Sent Events: `welcome`, then a `mutation`
 * event per matching document per transaction, with Sanity's fields. The caller has
 * already checked access and parsed the query.
 */
export function serveListener(dataset: Dataset, res: LakeResponse, options: ListenOptions, openStreams: Set<LakeResponse>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  })
  res.write(sse('welcome', {listenerName: `L${randomId(10)}`}))
  openStreams.add(res)

  let queue: Promise<void> = Promise.resolve()
  let closed = false

  const send = (chunk: string): void => {
    if (closed) return
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.end(sse('disconnect', {reason: 'listener too slow: too many unread events buffered'}))
      cleanup()
      return
    }
    res.write(chunk)
  }

  const onTransaction = (tx: CommittedTransaction): void => {
    // Evaluation is async; chaining keeps events in commit order.
    queue = queue.then(async () => {
      if (closed) return
      const matching = []
      for (const change of tx.changes) {
        if (!options.includeAllVersions && isVersionId(change.id)) continue
        const before = await matchesQuery(options.tree, change.before, options.params)
        const after = await matchesQuery(options.tree, change.after, options.params)
        if (before || after) matching.push({change, transition: !before ? 'appear' : !after ? 'disappear' : 'update'})
      }
      matching.forEach(({change, transition}, i) => {
        const eventId = `${tx.transactionId}#${change.id}`
        const event: Record<string, unknown> = {
          eventId,
          documentId: change.id,
          transactionId: tx.transactionId,
          identity: tx.identity,
        }
        if (options.includeMutations) event.mutations = change.mutations
        if (change.before) event.previousRev = change.before._rev
        event.resultRev = change.after ? change.after._rev : tx.transactionId
        if (options.includeResult && change.after) event.result = change.after
        if (options.includePreviousRevision && change.before) event.previous = change.before
        if (options.effectFormat === 'mendoza') {
          // The full-replace form of a mendoza patch: opcode 0 = "the value is".
          event.effects = {apply: [0, change.after], revert: [0, change.before]}
        }
        event.timestamp = tx.timestamp
        event.transition = transition
        event.visibility = 'query'
        event.transactionTotalEvents = matching.length
        event.transactionCurrentEvent = i + 1
        send(sse('mutation', event, eventId))
      })
    })
  }

  const unsubscribe = dataset.subscribe(onTransaction)
  const keepAlive = setInterval(() => send(': keep-alive\n\n'), options.keepAliveMs)
  keepAlive.unref()

  function cleanup(): void {
    if (closed) return
    closed = true
    clearInterval(keepAlive)
    unsubscribe()
    openStreams.delete(res)
  }
  res.on('close', cleanup)
}
