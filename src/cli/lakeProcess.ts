// A lake for one script's run, in a process of its own: a script that finds no lake answering
// starts `npm run lake` on LAKE_DIR (a free port, HTTP only) and stops it when done, so only
// the lake's process pays for loading the dataset.
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {TOKEN_FILE} from '../lake/auth'
import {readBanner} from '../lake/banner'

const LAUNCHER = fileURLToPath(new URL('./launch.mjs', import.meta.url))
const READY_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 10_000

export interface LakeProcess {
  url: string
  token: string
  pid: number
  /** Stops the lake (SIGTERM: it flushes and releases its directory) and waits for it. */
  close(): Promise<void>
}

export function startLakeProcess(options: {dir: string; token?: string; env?: Record<string, string | undefined>}): Promise<LakeProcess> {
  const child = spawn(process.execPath, [LAUNCHER, 'lake', 'serve'], {
    env: {...(options.env ?? process.env), LAKE_DIR: options.dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_TOKEN: options.token ?? ''},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  // Kept for the message when it fails to start; the tail is enough.
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-4000)))
  // A script that exits without closing (an uncaught error) still stops its lake.
  const killOnExit = () => child.kill('SIGTERM')
  process.once('exit', killOnExit)

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async () => {
    process.off('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer)
      void close()
      const said = err
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .slice(-3)
        .join('; ')
      reject(new Error(`${message}${said ? `: ${said}` : ''}`))
    }
    const timer = setTimeout(() => fail(`the lake on ${options.dir} did not start within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS)
    child.once('error', (error) => fail(`could not start a lake on ${options.dir} (${error.message})`))
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`the lake on ${options.dir} stopped before it was ready (${code ?? signal})`)
    child.once('exit', onExit)
    const check = () => {
      let banner: ReturnType<typeof readBanner>
      try {
        banner = readBanner(out)
      } catch {
        return fail(`the lake on ${options.dir} printed no http address`)
      }
      if (!banner) return
      const {url} = banner
      clearTimeout(timer)
      child.off('exit', onExit)
      child.stdout.off('data', check)
      let token = options.token
      try {
        token ||= fs.readFileSync(path.join(options.dir, TOKEN_FILE), 'utf8').trim()
      } catch (error) {
        void close()
        return reject(new Error(`the lake on ${options.dir} started but its token is unreadable: ${(error as Error).message}`))
      }
      // The script's own work decides when it ends, not these pipes.
      child.unref()
      for (const stream of [child.stdout, child.stderr] as Array<{unref?: () => void}>) stream.unref?.()
      resolve({url, token, pid: child.pid!, close})
    }
    child.stdout.on('data', check)
  })
}
