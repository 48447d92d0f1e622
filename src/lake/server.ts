import fs from 'node:fs'
import http from 'node:http'
import http2 from 'node:http2'
import type {AddressInfo, Socket} from 'node:net'
import path from 'node:path'
import {loadOrCreateToken} from './auth'
import {Dataset} from './dataset'
import {DEFAULT_MAX_BODY_BYTES, type LakeResponse} from './http'
import {acquireLock} from './lock'
import {PresenceHub} from './presence'
import {createHandler, type LakeContext} from './routes'
import {loadOrCreateCertificate} from './tls'

export const PROJECT_ID = 'local'
export const DATASET = 'production'
export const DEFAULT_DIR = '.lake'
export const DEFAULT_PORT = 7700
export const DEFAULT_TLS_PORT = 7743
const HOST = '127.0.0.1'
const KEEP_ALIVE_MS = 30_000

export interface StartLakeOptions {
  /** Data directory; default env LAKE_DIR, else `.lake`. */
  dir?: string
  /** HTTP/1.1 port; default env LAKE_PORT, else 7700. 0 picks a free port. */
  port?: number
  /** HTTP/2-over-TLS port; default env LAKE_TLS_PORT (`off` disables), else 7743. 0 picks a free port, false disables TLS. */
  tlsPort?: number | false
  /** The write/draft token; default env LAKE_TOKEN, else the one in `$dir/token` (generated on first start). */
  token?: string
  /** Where diagnostics go (never tokens). Default: nowhere. */
  log?: (line: string) => void
}

export interface RunningLake {
  url: string
  tlsUrl?: string
  port: number
  tlsPort?: number
  projectId: string
  dataset: string
  token: string
  close(): Promise<void>
}

/** LAKE_COMPACT_BYTES: a byte count; a typo would otherwise turn compaction off without a word. */
function compactThreshold(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const bytes = Number(value)
  if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`LAKE_COMPACT_BYTES=${value} is not a byte count (a whole number, e.g. 8000000)`)
  return bytes
}

/** A port from an environment variable: the fallback when unset, 0 for any free port. */
export function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}=${value} is not a port number (0-65535; 0 = any free port)`)
  return port
}

function listen(server: http.Server | http2.Http2SecureServer, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${port} on ${HOST} is in use; stop whatever uses it or set ${what === 'TLS' ? 'LAKE_TLS_PORT' : 'LAKE_PORT'} (0 = any free port)`)
          : err,
      )
    }
    server.once('error', onError)
    server.listen(port, HOST, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Starts the local lake in this process: one dataset, on 127.0.0.1 only. */
export async function startLake(options: StartLakeOptions = {}): Promise<RunningLake> {
  const dir = path.resolve(options.dir ?? (process.env.LAKE_DIR || DEFAULT_DIR))
  const port = options.port ?? portFrom(process.env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT')
  const tlsEnv = process.env.LAKE_TLS_PORT
  // LAKE_TLS_PORT=off serves plain HTTP only (scripts and tests that do not need the Studio's HTTP/2).
  const tlsPort = options.tlsPort ?? (tlsEnv === 'off' ? false : portFrom(tlsEnv, DEFAULT_TLS_PORT, 'LAKE_TLS_PORT'))
  const log = options.log ?? (() => {})

  fs.mkdirSync(dir, {recursive: true, mode: 0o700})
  const lock = acquireLock(dir)
  let dataset: Dataset | undefined
  const servers: Array<http.Server | http2.Http2SecureServer> = []
  const openStreams = new Set<LakeResponse>()
  const sessions = new Set<http2.ServerHttp2Session>()
  const sockets = new Set<Socket>()
  let presence: PresenceHub | undefined
  try {
    dataset = Dataset.open(dir, {log, compactAboveBytes: compactThreshold(process.env.LAKE_COMPACT_BYTES)})
    const {token, file} = loadOrCreateToken(dir, options.token ?? process.env.LAKE_TOKEN)
    const ctx: LakeContext = {
      dataset,
      projectId: PROJECT_ID,
      datasetName: DATASET,
      token,
      tokenHint: file ? `the token is in ${file}` : 'the token is the LAKE_TOKEN the lake was started with',
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      keepAliveMs: KEEP_ALIVE_MS,
      openStreams,
      log,
    }
    const handler = createHandler(ctx)
    // The Studio's presence WebSocket arrives as an HTTP/1.1 upgrade on either listener.
    presence = new PresenceHub({token, datasetName: DATASET})

    const plain = http.createServer(handler)
    plain.on('upgrade', presence.handleUpgrade)
    // Listeners stay open indefinitely; the default request timeout would cut them.
    plain.requestTimeout = 0
    servers.push(plain)
    const actualPort = await listen(plain, port, 'HTTP')

    let actualTlsPort: number | undefined
    if (tlsPort !== false) {
      const {cert, key} = await loadOrCreateCertificate(dir)
      const secure = http2.createSecureServer({cert, key, allowHTTP1: true}, handler)
      secure.on('upgrade', presence.handleUpgrade)
      // http2 servers have no closeAllConnections(); track sessions and sockets to end them on close.
      secure.on('session', (session: http2.ServerHttp2Session) => {
        sessions.add(session)
        session.once('close', () => sessions.delete(session))
      })
      secure.on('secureConnection', (socket: Socket) => {
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
      })
      servers.push(secure)
      actualTlsPort = await listen(secure, tlsPort, 'TLS')
    }

    let closing: Promise<void> | undefined
    const running: RunningLake = {
      url: `http://${HOST}:${actualPort}`,
      tlsUrl: actualTlsPort === undefined ? undefined : `https://${HOST}:${actualTlsPort}`,
      port: actualPort,
      tlsPort: actualTlsPort,
      projectId: PROJECT_ID,
      dataset: DATASET,
      token,
      close: () => {
        closing ??= (async () => {
          for (const stream of openStreams) stream.end()
          openStreams.clear()
          presence?.close()
          for (const session of sessions) session.destroy()
          for (const socket of sockets) socket.destroy()
          await Promise.all(
            servers.map(
              (server) =>
                new Promise<void>((resolve) => {
                  server.close(() => resolve())
                  if ('closeAllConnections' in server) server.closeAllConnections()
                }),
            ),
          )
          // Every committed transaction is already fsynced; nothing to flush.
          await dataset?.exclusive(() => dataset?.close())
          lock.release()
        })()
        return closing
      },
    }
    return running
  } catch (err) {
    presence?.close()
    for (const server of servers) server.close()
    dataset?.close()
    lock.release()
    throw err
  }
}
