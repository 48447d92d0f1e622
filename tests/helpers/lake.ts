import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {createClient, type SanityClient} from '@sanity/client'
import {readBanner} from '../../src/lake/banner'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const LAKE_CLI = path.join(REPO_ROOT, 'src/lake/cli.ts')

/** A fresh directory under the OS temp dir; removed by `removeTempDirs()`. */
const created: string[] = []
export function makeTempDir(prefix = 'lake-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  created.push(dir)
  return dir
}
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, {recursive: true, force: true})
}

const spawned = new Set<ChildProcess>()
/** SIGKILLs every lake this helper spawned that is still running (for afterAll, so a failed test leaks nothing). */
export async function stopAllLakes(): Promise<void> {
  await Promise.all(
    [...spawned].map((proc) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
      return waitForExit(proc)
    }),
  )
  spawned.clear()
}

export interface SpawnedLake {
  url: string
  tlsUrl?: string
  port: number
  tlsPort?: number
  dir: string
  /** Read from `$dir/token` (the lake never prints it) or the LAKE_TOKEN given. */
  token: string
  proc: ChildProcess
  stdout(): string
  stderr(): string
  /** Sends `signal` (default SIGTERM) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Waits until the lake has said its start-up compaction is over (it runs after the lake listens, while
 * reads are answered and writes wait: src/lake/dataset.ts). Returns the line it printed.
 */
export async function compactionDone(lake: SpawnedLake, timeoutMs = 30_000): Promise<string> {
  const done = /^lake: (compacted \d+ logged transactions|rewrote \d+ lines without checksums|compaction failed).*$/m
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = done.exec(lake.stderr())?.[0]
    if (line) return line
    if (Date.now() > deadline) throw new Error(`the lake did not finish compacting within ${timeoutMs} ms; its stderr: ${lake.stderr().slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Starts a lake on `dir` that must refuse to start; returns what it printed. Throws if it started, or if
 * what it printed is a stack trace, a JavaScript error or a bare errno line instead of the lake's own sentence.
 */
export async function refusedStart(dir: string, env: Record<string, string> = {}): Promise<string> {
  const outcome = await spawnLake({dir, env}).then(
    async (lake) => {
      await lake.stop()
      return null
    },
    (err: Error) => err.message,
  )
  if (outcome === null) throw new Error(`the lake started on ${dir}, but it should have refused`)
  if (/\n\s+at |TypeError|lake: E[A-Z]+: /.test(outcome)) throw new Error(`the lake refused with a stack trace or a bare error instead of its own message: ${outcome}`)
  return outcome
}

export interface SpawnOptions {
  dir?: string
  env?: Record<string, string>
  /** Serve HTTP/2 over TLS too (default false: one port is enough for most tests). */
  tls?: boolean
  timeoutMs?: number
}

function waitForExit(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode)
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)))
}

/** Spawns the real lake server (`node --import tsx src/lake/cli.ts`) on free ports. */
export function spawnLake(options: SpawnOptions = {}): Promise<SpawnedLake> {
  const dir = options.dir ?? makeTempDir()
  const proc = spawn(process.execPath, ['--import', 'tsx', LAKE_CLI], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LAKE_DIR: dir,
      LAKE_PORT: '0',
      LAKE_TLS_PORT: options.tls ? '0' : 'off',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  spawned.add(proc)
  proc.once('exit', () => spawned.delete(proc))
  let out = ''
  let err = ''
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
    return waitForExit(proc)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(new Error(`lake did not print its URLs within ${options.timeoutMs ?? 20000} ms\nstdout: ${out}\nstderr: ${err}`))
    }, options.timeoutMs ?? 20000)
    const onExit = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`lake exited (${code}) before it was ready\nstdout: ${out}\nstderr: ${err}`))
    }
    proc.once('exit', onExit)
    const check = () => {
      const banner = readBanner(out)
      if (!banner) return
      clearTimeout(timer)
      proc.off('exit', onExit)
      proc.stdout!.off('data', check)
      const {url, tlsUrl} = banner
      const token = options.env?.LAKE_TOKEN || fs.readFileSync(path.join(dir, 'token'), 'utf8').trim()
      resolve({
        url,
        tlsUrl,
        port: Number(new URL(url).port),
        tlsPort: tlsUrl ? Number(new URL(tlsUrl).port) : undefined,
        dir,
        token,
        proc,
        stdout: () => out,
        stderr: () => err,
        stop,
      })
    }
    proc.stdout!.on('data', check)
  })
}

export interface ClientOptions {
  /** The lake's token by default; null for an anonymous client; a string for any other token. */
  token?: string | null
  apiVersion?: string
}

/** The real @sanity/client, pointed at a spawned lake. */
export function lakeClient(lake: {url: string; token: string}, options: ClientOptions = {}): SanityClient {
  const token = options.token === undefined ? lake.token : (options.token ?? undefined)
  return createClient({
    projectId: 'local',
    dataset: 'production',
    apiHost: lake.url,
    useProjectHostname: false,
    apiVersion: options.apiVersion ?? '2025-02-19',
    useCdn: false,
    token,
    // Retrying would hide what the server answered first.
    maxRetries: 0,
  })
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a tsx entry point (e.g. `src/lake/cli.ts`, `src/cli/query.ts`) to completion. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 30000): Promise<RunResult> {
  return runNode(['--import', 'tsx', path.join(REPO_ROOT, script), ...args], env, {timeoutMs, label: script})
}

/**
 * Runs an npm script the way `npm run <name>` does (`node src/cli/launch.mjs <name>`: the compiled
 * bundle, rebuilt when a source changed), to completion; `input` is written to its stdin.
 */
export function runNpmScript(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  options: {input?: string | Buffer; timeoutMs?: number} = {},
): Promise<RunResult> {
  return runNode([path.join(REPO_ROOT, 'src/cli/launch.mjs'), name, ...args], env, {...options, label: `npm run ${name}`})
}

function runNode(
  argv: string[],
  env: Record<string, string>,
  options: {input?: string | Buffer; timeoutMs?: number; label: string},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30000
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, argv, {
      cwd: REPO_ROOT,
      env: {...process.env, ...env},
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    if (options.input !== undefined) proc.stdin!.end(options.input)
    let stdout = ''
    let stderr = ''
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${options.label} ${argv.slice(-3).join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr}`))
    }, timeoutMs)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

export type Json = Record<string, unknown>

export interface LakeResponse {
  status: number
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Json | undefined
  text: string
  headers: Headers
}

/**
 * A raw HTTP request to a lake, for what @sanity/client does not send (bad input, other endpoints).
 * A string body goes as it is (malformed JSON included); any other body is sent as JSON. The lake's
 * token is sent unless `token` is null (anonymous) or another string.
 */
export async function lakeRequest(
  lake: {url: string; token: string},
  method: string,
  pathname: string,
  options: {body?: unknown; token?: string | null; headers?: Record<string, string>} = {},
): Promise<LakeResponse> {
  const token = options.token === undefined ? lake.token : options.token
  const res = await fetch(`${lake.url}${pathname}`, {
    method,
    body: options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    headers: {
      ...(token ? {authorization: `Bearer ${token}`} : {}),
      ...(options.body !== undefined ? {'content-type': 'application/json'} : {}),
      ...options.headers,
    },
  })
  const text = await res.text()
  let json: Json | undefined
  try {
    json = JSON.parse(text) as Json
  } catch {
    json = undefined
  }
  return {status: res.status, json, text, headers: res.headers}
}
