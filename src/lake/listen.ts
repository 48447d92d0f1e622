import type {ExprNode} from 'groq-js'
import type {CommittedTransaction, Dataset} from './dataset'
import {isRootPathId, isVersionId, randomId} from './ids'
import type {LakeResponse} from './http'
import {accessKind, formatBytes, LIMIT_ENV, RETRY_AFTER_SECONDS, tooManyRequests, type PerAccess} from './limits'
import {matchesQuery} from './query'

export interface ListenOptions {
  tree: ExprNode
  params: Record<string, unknown>
  includeResult: boolean
  includePreviousRevision: boolean
  includeMutations: boolean
  includeAllVersions: boolean
  effectFormat: 'mendoza' | null
  /** Anonymous listeners hear of root-path (public) documents only, as on a public dataset. */
  rootOnly: boolean
  /** What each event reports as `visibility`: the lake tells listeners only once a transaction is visible to queries. */
  visibility: 'transaction' | 'query'
  keepAliveMs: number
  log?: (line: string) => void
}

/**
 * The open listeners, with the caps on how many there may be and on what they may hold unread.
 * The buffer budget is shared: each listener may hold its share of it (the budget divided by
 * the open listeners), so many slow readers cannot add up past the budget.
 */
export class ListenerHub {
  private readonly open = new Map<LakeResponse, keyof PerAccess>()
  private readonly counts: PerAccess = {token: 0, anonymous: 0}

  constructor(
    readonly max: PerAccess,
    readonly bufferBytes: number,
  ) {}

  get size(): number {
    return this.open.size
  }

  /** Throws a 429 when `access` already has its cap of listeners open. */
  admit(access: string): void {
    const kind = accessKind(access)
    if (this.counts[kind] >= this.max[kind]) {
      const who = kind === 'token' ? 'token holders' : 'anonymous listeners'
      throw tooManyRequests(
        `Too many listeners: ${this.max[kind]} are open for ${who}, the local lake's limit (${LIMIT_ENV.listeners[kind]}); close one or retry in ${RETRY_AFTER_SECONDS} s`,
      )
    }
  }

  add(res: LakeResponse, access: string): void {
    const kind = accessKind(access)
    this.open.set(res, kind)
    this.counts[kind]++
  }

  delete(res: LakeResponse): void {
    const kind = this.open.get(res)
    if (kind === undefined) return
    this.open.delete(res)
    this.counts[kind]--
  }

  /** Unread bytes one listener may hold now. */
  share(): number {
    return Math.floor(this.bufferBytes / Math.max(1, this.open.size))
  }

  closeAll(): void {
    for (const res of this.open.keys()) res.end()
    this.open.clear()
    this.counts.token = this.counts.anonymous = 0
  }
}

function sse(event: string, data: unknown, id?: string): string {
  return `event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`
}

/**
 * Serves one `data/listen` connection as Server-Sent Events: `welcome`, then a `mutation`
 * event per matching document per transaction, with Sanity's fields. The caller has
 * already checked access and parsed the query.
 */
export function serveListener(dataset: Dataset, res: LakeResponse, options: ListenOptions, hub: ListenerHub, access: string): void {
  hub.admit(access)
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  })
  res.write(sse('welcome', {listenerName: `L${randomId(10)}`}))
  hub.add(res, access)

  let queue: Promise<void> = Promise.resolve()
  let closed = false

  const send = (chunk: string): void => {
    if (closed) return
    // One event always fits an empty buffer: a listener is cut only for what it left unread.
    const unread = res.writableLength
    if (unread > 0 && unread + Buffer.byteLength(chunk) > hub.share()) {
      const reason = `listener too slow: ${formatBytes(unread)} of events unread, past its share of ${formatBytes(hub.bufferBytes)} for all listeners (${LIMIT_ENV.listenerBufferBytes}); reconnect and read faster`
      cleanup()
      // It is not reading, so it would never see a goodbye; the connection goes, and its buffer with it.
      options.log?.(`listen: disconnected a listener: ${reason}`)
      res.destroy()
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
        if (options.rootOnly && !isRootPathId(change.id)) continue
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
        event.visibility = options.visibility
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
    hub.delete(res)
  }
  res.on('close', cleanup)
}
