import net from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'
import {expectAlive, expectLimitError, rssMb} from './limits-support'

/**
 * Issue 8, item 13 (listeners): listeners that never read cannot add up past the total
 * listener buffer, and there is a cap on how many may be open.
 */

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const LISTEN = '/v2025-02-19/data/listen/production'

/** A listener that sends its request and then never reads a byte. */
function stalledListener(lake: SpawnedLake, query: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(lake.port, '127.0.0.1', () => {
      socket.write(`GET ${LISTEN}?query=${encodeURIComponent(query)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${lake.token}\r\n\r\n`)
      // Reads the welcome, then stops reading for good.
      socket.once('data', () => {
        socket.pause()
        resolve(socket)
      })
    })
    socket.on('error', () => {})
    socket.once('close', () => reject(new Error('listener closed before its welcome')))
  })
}

/** Opens a listener over fetch; resolves with the response once the welcome has arrived. */
async function openListener(lake: SpawnedLake, query = '*[_type == "ping"]'): Promise<{res: Response; events: string[]; controller: AbortController}> {
  const controller = new AbortController()
  const res = await fetch(`${lake.url}${LISTEN}?query=${encodeURIComponent(query)}`, {
    headers: {authorization: `Bearer ${lake.token}`},
    signal: controller.signal,
  })
  const events: string[] = []
  if (res.status === 200) {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let welcomed: () => void = () => {}
    const welcome = new Promise<void>((resolve) => (welcomed = resolve))
    void (async () => {
      // Chunks split lines anywhere: count only complete lines.
      let pending = ''
      for (;;) {
        const {value, done} = await reader.read().catch(() => ({value: undefined, done: true}))
        if (done) return
        pending += decoder.decode(value, {stream: true})
        const end = pending.lastIndexOf('\n')
        if (end < 0) continue
        for (const m of pending.slice(0, end).matchAll(/^event: (\w+)/gm)) events.push(m[1])
        pending = pending.slice(end + 1)
        if (events.includes('welcome')) welcomed()
      }
    })()
    await welcome
  }
  return {res, events, controller}
}

describe('listeners', () => {
  it('10 listeners that never read, 19 MB of events each: cut at their share of LAKE_MAX_LISTENER_BUFFER_BYTES', async () => {
    const lake = await spawnLake({env: {LAKE_MAX_LISTENER_BUFFER_BYTES: String(8 * 1024 * 1024)}})
    const stalled = await Promise.all(Array.from({length: 10}, () => stalledListener(lake, '*[_type == "big"]')))
    const healthy = await openListener(lake, '*[_type == "big"]')
    const before = rssMb(lake.proc.pid)
    let peak = before
    const text = 'ن'.repeat(32 * 1024) // 64 kB of UTF-8 per document
    for (let t = 0; t < 10; t++) {
      const mutations = Array.from({length: 30}, (_, i) => ({createOrReplace: {_id: `big-${t}-${i}`, _type: 'big', text}}))
      const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production', {body: {mutations}})
      expect(res.status).toBe(200)
      peak = Math.max(peak, rssMb(lake.proc.pid))
    }
    // A listener that reads keeps receiving everything.
    await expect.poll(() => healthy.events.filter((e) => e === 'mutation').length, {timeout: 10_000}).toBe(300)
    peak = Math.max(peak, rssMb(lake.proc.pid))
    const cut = (lake.stderr().match(/disconnected a listener/g) ?? []).length
    console.log(`10 stalled listeners × 300 events of ~64 kB (8 MB budget): ${cut} disconnected, lake RSS ${before} → peak ${peak} MB`)
    // At HEAD each could buffer 64 MB: all ~19 MB each stayed (measured: RSS +494 MB). Here at most
    // 8 MB stays buffered; the rest of the growth is the 300 new documents and garbage not yet collected.
    expect(cut).toBe(10)
    expect(lake.stderr()).toContain('LAKE_MAX_LISTENER_BUFFER_BYTES')
    expect(peak - before).toBeLessThan(200)
    healthy.controller.abort()
    for (const socket of stalled) socket.destroy()
    await expectAlive(lake)
  }, 40_000)

  it('past LAKE_MAX_LISTENERS a listener gets 429 + Retry-After; the request deadline never cuts an open listener', async () => {
    // Request deadlines of ~600 ms: Node's requestTimeout must not apply to a listener's open response.
    const lake = await spawnLake({env: {LAKE_MAX_LISTENERS: '3', LAKE_HEADERS_TIMEOUT_MS: '300', LAKE_BODY_TIMEOUT_MS: '300'}})
    const open = [await openListener(lake), await openListener(lake), await openListener(lake)]
    for (const l of open) expect(l.res.status).toBe(200)
    const refused = await lakeRequest(lake, 'GET', `${LISTEN}?query=${encodeURIComponent('*')}`)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expectLimitError(refused.json, 429, 'LAKE_MAX_LISTENERS')
    // Queries are not listeners: still answered.
    expect(await lakeClient(lake).fetch('count(*)')).toBe(0)

    await new Promise((resolve) => setTimeout(resolve, 2000))
    await lakeClient(lake).create({_id: 'ping-1', _type: 'ping'})
    for (const l of open) await expect.poll(() => l.events.includes('mutation'), {timeout: 3000}).toBe(true)

    // Closing one frees its place.
    open[0].controller.abort()
    await expect.poll(async () => (await openListener(lake)).res.status, {timeout: 3000}).toBe(200)
    for (const l of open) l.controller.abort()
    await expectAlive(lake)
  }, 30_000)
})
