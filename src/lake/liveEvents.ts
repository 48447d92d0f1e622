import type {Dataset} from './dataset'
import type {LakeResponse} from './http'
import {isRootPathId} from './ids'
import type {ListenerHub} from './listen'

/**
 * `GET data/live/events/:dataset`, the Live Content API's event stream (`client.live.events()`),
 * which the Studio's Presentation tool opens and fails without. Server-Sent Events: `welcome`,
 * then one `message` per committed transaction, its id the transaction id and its `tags` one
 * dataset-wide sync tag. Queries carry no `syncTags` here, so a client that refetches only the
 * queries whose tags a message names refetches nothing; the stream says "something changed", in
 * order, which is what the Studio needs. Without `includeDrafts=true` (which needs the token),
 * transactions that touch only drafts, versions and other non-root paths are not told.
 */
export function serveLiveEvents(
  dataset: Dataset,
  res: LakeResponse,
  options: {datasetName: string; includeDrafts: boolean; keepAliveMs: number},
  hub: ListenerHub,
  access: string,
): void {
  hub.admit(access)
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  })
  res.write('event: welcome\ndata: {}\n\n')
  hub.add(res, access)
  const tags = [`s1:${options.datasetName}`]
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

  const unsubscribe = dataset.subscribe((tx) => {
    if (!options.includeDrafts && !tx.changes.some((change) => isRootPathId(change.id))) return
    send(`event: message\nid: ${tx.transactionId}\ndata: ${JSON.stringify({tags})}\n\n`)
  })
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
