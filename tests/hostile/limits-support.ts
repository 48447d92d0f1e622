import fs from 'node:fs'
import net from 'node:net'
import {expect} from 'vitest'
import {lakeRequest, type SpawnedLake} from '../helpers/lake'

/** Resident memory of a process in MB, from /proc (the lake's, not the test runner's). */
export function rssMb(pid: number | undefined): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1])
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Math.round(kb / 1024)
}

/** The lake answers a ping within `withinMs`. */
export async function expectAlive(lake: SpawnedLake, withinMs = 2000): Promise<void> {
  const started = Date.now()
  const res = await fetch(`${lake.url}/v2025-02-19/ping`, {signal: AbortSignal.timeout(withinMs)})
  expect(res.status).toBe(200)
  expect(await res.text()).toBe('PONG')
  expect(Date.now() - started).toBeLessThan(withinMs)
}

export interface RawAnswer {
  /** 0 when the connection closed without an answer. */
  status: number
  headers: Record<string, string>
  body: string
  /** ms from connect to close (or to giving up). */
  closedAfterMs: number
  /** False when the server still held the connection open at `giveUpMs`. */
  closed: boolean
}

/**
 * A raw HTTP/1.1 exchange: `head` is sent, then `body` chunks as `send` dictates; the
 * promise settles when the server closes the connection, or when `giveUpMs` passes (then the
 * socket is destroyed and `closed` is false). For what fetch cannot do: slow or partial bodies.
 */
export function rawExchange(
  lake: {port: number},
  head: string,
  options: {send?: (socket: net.Socket) => void; giveUpMs?: number; onSocket?: (socket: net.Socket) => void} = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = net.connect(lake.port, '127.0.0.1')
    let text = ''
    let done = false
    const finish = (gaveUp = false) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const [top = '', ...rest] = text.split('\r\n\r\n')
      const lines = top.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':')
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim()
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(lines[0])?.[1] ?? 0),
        headers,
        body: rest.join('\r\n\r\n'),
        closedAfterMs: Date.now() - started,
        closed: !gaveUp,
      })
    }
    const timer = setTimeout(() => finish(true), options.giveUpMs ?? 15_000)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (text += chunk))
    socket.on('close', () => finish())
    socket.on('error', () => finish())
    socket.on('connect', () => {
      socket.write(head)
      options.send?.(socket)
    })
    options.onSocket?.(socket)
  })
}

/** `count` documents of about `bytes` each, in one transaction. */
export async function seed(lake: SpawnedLake, count: number, bytes: number, type = 'filler'): Promise<void> {
  const mutations = Array.from({length: count}, (_, i) => ({
    create: {_id: `${type}-${i}`, _type: type, n: i, text: 'ن'.repeat(Math.max(0, Math.floor(bytes / 2) - 40))},
  }))
  const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production', {body: {mutations}})
  expect(res.status).toBe(200)
}

/** A Sanity error body names the limit's variable. */
export function expectLimitError(json: Record<string, unknown> | undefined, status: number, envVar: string): void {
  expect(json).toBeDefined()
  const message = String(json?.message ?? (json?.error as {description?: string} | undefined)?.description ?? '')
  if ('statusCode' in (json ?? {})) expect(json?.statusCode).toBe(status)
  expect(message).toContain(envVar)
}
