import type {CommittedTransaction, Dataset} from './dataset'
import type {LakeResponse} from './http'
import {isRootPathId, randomId} from './ids'
import type {ListenerHub} from './listen'
import {transactionTags} from './syncTags'

/**
 * `GET data/live/events/:dataset`, the Live Content API (`client.live.events()`, next-sanity's
 * `<SanityLive/>`, the Presentation tool). Server-Sent Events, as hosted Sanity sends them:
 * - `welcome`, its id the stream's current position;
 * - one `message` per committed transaction, its id the transaction id, `{tags}` the sync tags
 *   of the document sets it changed (syncTags.ts), which query answers carry as `syncTags`;
 * - on reconnect with `Last-Event-ID`, the messages since that id, or, when the lake no longer
 *   knows it (older than the last REPLAY_EVENTS transactions, or from before a restart), a
 *   `restart` first: the client refetches everything and goes on from the end.
 * Without `includeDrafts=true` (which needs the token), transactions that touch only drafts,
 * versions and other non-root paths are not told, and their tags leave those documents out.
 */

/** Transactions a reconnecting client can catch up on; older positions get `restart`. */
export const REPLAY_EVENTS = 1000

interface Entry {
  id: string
  /** Tags counting root-path documents only (null: none changed). */
  publicTags: string[] | null
  allTags: string[] | null
}

class LiveFeed {
  /** The position before the first transaction this feed saw; differs per lake process. */
  readonly start = `start-${randomId(12)}`
  private entries: Entry[] = []
  private dropped = false
  private readonly listeners = new Set<(entry: Entry) => void>()

  constructor(dataset: Dataset, datasetName: string) {
    dataset.subscribe((tx: CommittedTransaction) => {
      const entry: Entry = {
        id: tx.transactionId,
        publicTags: transactionTags(tx, dataset.store, datasetName, isRootPathId),
        allTags: transactionTags(tx, dataset.store, datasetName, () => true),
      }
      this.entries.push(entry)
      if (this.entries.length > REPLAY_EVENTS) {
        this.entries.splice(0, this.entries.length - REPLAY_EVENTS)
        this.dropped = true
      }
      for (const listener of this.listeners) listener(entry)
    })
  }

  position(): string {
    return this.entries.at(-1)?.id ?? this.start
  }

  /** The entries after position `id`, or null when this feed cannot tell (unknown or dropped). */
  after(id: string): Entry[] | null {
    if (id === this.start) return this.dropped ? null : this.entries.slice()
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.id === id) return this.entries.slice(i + 1)
    return null
  }

  listen(fn: (entry: Entry) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}

const feeds = new WeakMap<Dataset, LiveFeed>()

function feedOf(dataset: Dataset, datasetName: string): LiveFeed {
  let feed = feeds.get(dataset)
  if (!feed) feeds.set(dataset, (feed = new LiveFeed(dataset, datasetName)))
  return feed
}

export function serveLiveEvents(
  dataset: Dataset,
  res: LakeResponse,
  options: {datasetName: string; includeDrafts: boolean; keepAliveMs: number; lastEventId: string | null},
  hub: ListenerHub,
  access: string,
): void {
  hub.admit(access)
  const feed = feedOf(dataset, options.datasetName)
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  })
  hub.add(res, access)
  let closed = false

  const send = (chunk: string): void => {
    if (closed) return
    // Messages carry no document data: a reader that stops reading is cut, like a slow listener.
    if (res.writableLength > hub.share()) {
      cleanup()
      res.destroy()
      return
    }
    res.write(chunk)
  }
  const message = (entry: Entry): void => {
    const tags = options.includeDrafts ? entry.allTags : entry.publicTags
    if (tags) send(`event: message\nid: ${entry.id}\ndata: ${JSON.stringify({tags})}\n\n`)
  }

  // Replay and subscription in one tick: no transaction falls between them.
  const position = feed.position()
  const missed = options.lastEventId ? feed.after(options.lastEventId) : []
  if (missed === null) send(`event: restart\nid: ${position}\ndata: {}\n\n`)
  // A resumed stream is welcomed at the client's position: cut before the replay, it resumes from there again.
  send(`event: welcome\nid: ${missed?.length ? options.lastEventId : position}\ndata: {}\n\n`)
  for (const entry of missed ?? []) message(entry)
  const unsubscribe = feed.listen(message)
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
