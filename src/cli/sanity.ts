// `npm run sanity -- <args>`: the unmodified Sanity CLI, pointed at the local lake.
//
// The CLI has no API-host setting; it always asks https://api.sanity.io and
// https://<projectId>.api.sanity.io. For the local project ("local"), this runs the CLI with a
// preload (src/cli/sanityLakePreload.ts) that sends exactly those two names to the lake's TLS
// port on 127.0.0.1 and trusts the lake's certificate for them only, and gives the CLI the lake's
// token as SANITY_AUTH_TOKEN (never printed). The machine's DNS and trust store are not touched.
//
// A lake already answering on LAKE_PORT is used (it must have been started with
// LAKE_ALLOWED_HOSTS naming those hosts, see docs/lake.md); otherwise one is started in this
// process on LAKE_DIR, on free ports, for as long as the command runs.
//
// When SANITY_STUDIO_PROJECT_ID or SANITY_PROJECT_ID names another (hosted) project, the CLI is
// run as it is, with the environment untouched.
import {spawn} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import tls from 'node:tls'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {buildSync} from 'esbuild'
import {LAKE_HEADER, lakeAnswers, runningLakeToken} from '../lake/discover'
import {DEFAULT_DIR, DEFAULT_PORT, DEFAULT_TLS_PORT, portFrom, PROJECT_ID, startLake, type RunningLake} from '../lake/server'
import {TLS_CERT_FILE} from '../lake/tls'
import {wantsHelp} from './args'
import {mappedHosts, PRELOAD_ENV} from './sanityLakeHosts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SANITY_BIN = path.join(ROOT, 'node_modules', '@sanity', 'cli', 'bin', 'run.js')
const PRELOAD_SOURCE = path.join(ROOT, 'src', 'cli', 'sanityLakePreload.ts')
const PRELOAD_CACHE = path.join(ROOT, 'node_modules', '.cache', 'sanity-lake')
const PREFIX = 'npm run sanity'

type Env = Record<string, string | undefined>

/** The project the CLI will use: sanity.cli.ts reads the same variables. */
function cliProjectId(env: Env): string {
  return env.SANITY_STUDIO_PROJECT_ID || env.SANITY_PROJECT_ID || PROJECT_ID
}

/**
 * The preload as one plain ES module (the CLI's main thread runs without tsx), written under
 * node_modules/.cache and named by its content, so an edit to the source is picked up and a
 * concurrent run never reads a half-written file.
 */
function preloadFile(): string {
  const built = buildSync({
    entryPoints: [PRELOAD_SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  })
  const code = built.outputFiles[0].text
  const file = path.join(PRELOAD_CACHE, `preload-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`)
  if (!fs.existsSync(file)) {
    fs.mkdirSync(PRELOAD_CACHE, {recursive: true})
    const tmp = `${file}.tmp-${process.pid}`
    fs.writeFileSync(tmp, code)
    fs.renameSync(tmp, file)
  }
  return file
}

interface LakeTarget {
  token: string
  tlsPort: number
  certFile: string
  /** Set when this command started the lake (and so stops it). */
  running?: RunningLake
}

/** Asks the lake's TLS port for /v1/ping as the CLI will: under `host`, trusting only the lake's certificate. */
function probe(tlsPort: number, ca: string, host: string): Promise<{status: number; isLake: boolean}> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port: tlsPort,
        path: '/v1/ping',
        headers: {host},
        servername: host,
        ca,
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity('localhost', cert),
        agent: false,
        timeout: 3000,
      },
      (res) => {
        res.resume()
        resolve({status: res.statusCode ?? 0, isLake: res.headers[LAKE_HEADER] === '1'})
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer within 3 s')))
    req.on('error', reject)
  })
}

/** A lake answering on LAKE_PORT, checked for what the CLI needs; else one started here on free ports. */
async function openLake(env: Env, projectId: string, log: (line: string) => void): Promise<LakeTarget> {
  const dir = path.resolve(env.LAKE_DIR || DEFAULT_DIR)
  const port = portFrom(env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT')
  const url = `http://127.0.0.1:${port}`
  const hosts = mappedHosts(projectId)
  const allowHint = `LAKE_ALLOWED_HOSTS=${hosts.join(',')}`
  if (port !== 0 && (await lakeAnswers(url))) {
    if (env.LAKE_TLS_PORT === 'off') throw new Error(`the Sanity CLI speaks HTTPS only, but LAKE_TLS_PORT=off: unset it (the lake on ${url} must serve TLS too)`)
    const tlsPort = portFrom(env.LAKE_TLS_PORT, DEFAULT_TLS_PORT, 'LAKE_TLS_PORT')
    const certFile = path.join(dir, TLS_CERT_FILE)
    if (!fs.existsSync(certFile)) throw new Error(`a local lake answers on ${url} but ${certFile} is missing: set LAKE_DIR to that lake's directory`)
    const ca = fs.readFileSync(certFile, 'utf8')
    for (const host of hosts) {
      let answer: {status: number; isLake: boolean}
      try {
        answer = await probe(tlsPort, ca, host)
      } catch (err) {
        throw new Error(
          `a local lake answers on ${url} but not over TLS on 127.0.0.1:${tlsPort} with the certificate in ${dir} (${(err as Error).message}): ` +
            `set LAKE_TLS_PORT and LAKE_DIR to that lake's, or stop it and let ${PREFIX} start its own`,
        )
      }
      if (answer.status === 421) {
        throw new Error(
          `the local lake on ${url} does not answer to ${host}, one of the names the Sanity CLI asks: ` +
            `restart it with ${allowHint} (e.g. \`${allowHint} npm run dev\`), or stop it and let ${PREFIX} start its own`,
        )
      }
      if (answer.status !== 200 || !answer.isLake) {
        throw new Error(`127.0.0.1:${tlsPort} answered /v1/ping with ${answer.status}${answer.isLake ? '' : ' and is not the local lake'}: set LAKE_TLS_PORT to the lake's TLS port`)
      }
    }
    return {token: runningLakeToken(url, dir, env.LAKE_TOKEN || undefined), tlsPort, certFile}
  }
  // This process owns the lake, for this command only (it answers to the CLI's names: origin.ts).
  const running = await startLake({dir, port: 0, tlsPort: 0, token: env.LAKE_TOKEN || undefined, log})
  log(`started the local lake on ${dir} for this command (${running.tlsUrl})`)
  return {token: running.token, tlsPort: running.tlsPort!, certFile: path.join(dir, TLS_CERT_FILE), running}
}

/** The CLI's environment for the lake: the preload, the lake's token, nothing sent to Sanity. */
function lakeCliEnv(env: Env, target: {token: string; tlsPort: number; certFile: string; preload: string; projectId: string}): Env {
  const hosts = mappedHosts(target.projectId)
  const out: Env = {
    ...env,
    NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(target.preload).href}`.trim(),
    [PRELOAD_ENV.target]: `127.0.0.1:${target.tlsPort}`,
    [PRELOAD_ENV.caFile]: target.certFile,
    [PRELOAD_ENV.projectId]: target.projectId,
    // What the CLI (cli-core getCliToken) reads for the logged-in user's token.
    SANITY_AUTH_TOKEN: target.token,
    // Offline: telemetry and update checks would only fail.
    SANITY_TELEMETRY_DISABLED: env.SANITY_TELEMETRY_DISABLED ?? '1',
    DO_NOT_TRACK: env.DO_NOT_TRACK ?? '1',
    NO_UPDATE_NOTIFIER: env.NO_UPDATE_NOTIFIER ?? '1',
  }
  // staging would ask api.sanity.work, which is not mapped.
  delete out.SANITY_INTERNAL_ENV
  // A proxy would tunnel the mapped names out to Sanity instead of to the lake.
  for (const name of ['NO_PROXY', 'no_proxy']) {
    if (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || env.ALL_PROXY || env.all_proxy) {
      out[name] = [env[name], ...hosts].filter(Boolean).join(',')
    }
  }
  return out
}

function runCli(args: string[], env: Env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SANITY_BIN, ...args], {cwd: process.cwd(), env, stdio: 'inherit'})
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1))
    })
  })
}

async function main(args: string[]): Promise<number> {
  if (!fs.existsSync(SANITY_BIN)) throw new Error(`${SANITY_BIN} is missing: run npm install first`)
  const env: Env = process.env
  const projectId = cliProjectId(env)
  // A hosted project: the CLI as it is. Its own help needs no lake.
  if (projectId !== PROJECT_ID || args.length === 0 || wantsHelp(args)) return runCli(args, env)
  const log = (line: string) => process.stderr.write(`${PREFIX}: ${line}\n`)
  const lake = await openLake(env, projectId, log)
  try {
    const preload = preloadFile()
    return await runCli(args, lakeCliEnv(env, {...lake, preload, projectId}))
  } finally {
    await lake.running?.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${PREFIX}: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
