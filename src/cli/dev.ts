// `npm run dev`: Sanity Studio on the local lake, on this machine, with no Sanity account.
//
// Starts (or reuses) the local lake, starts the Studio dev server (`sanity dev`, Vite) and the
// reader's site on private loopback ports, and puts them behind one HTTP/2 front: the Studio on
// https://local.localhost:<port>, the site on https://site.localhost:<port> (see src/dev/front.ts).
// Prints a log-in link made for this run (src/dev/login.ts), never the token.
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {exposurePolicy} from '../dev/exposure'
import {startFront, type RunningFront} from '../dev/front'
import {SITE_HOST_NAME} from '../dev/hosts'
import {createLoginLink} from '../dev/login'
import {lakeAnswers, runningLakeToken} from '../lake/discover'
import {DEFAULT_DIR, DEFAULT_PORT, portFrom, PROJECT_ID, startLake, type RunningLake} from '../lake/server'
import {loadOrCreateCertificate, TLS_CERT_FILE} from '../lake/tls'
import {siteConfigFromEnv} from '../site/config'
import {startSite} from '../site/server'
import {connectSite} from '../site/source'
import {parseOptions, runCommand} from './args'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const SANITY_BIN = path.join(ROOT, 'node_modules', '.bin', 'sanity')
const DEFAULT_STUDIO_PORT = 3333
const HOST = '127.0.0.1'
const STUDIO_READY_TIMEOUT_MS = 180_000

type Env = Record<string, string | undefined>

export const USAGE = `usage: npm run dev

Sanity Studio on the local lake, on this machine, with no Sanity account: starts (or reuses) the
lake, the Studio dev server and the reader's site behind one HTTPS front, and prints a log-in link.

options:
  -h, --help   show this help

environment:
  STUDIO_PORT                  the front's port (default ${DEFAULT_STUDIO_PORT})
  LAKE_PORT, LAKE_DIR, LAKE_TOKEN   which local lake (reused when one answers on LAKE_PORT)
  SANITY_STUDIO_PROJECT_ID     another (hosted) project: plain \`sanity dev\`, with any arguments passed on

examples:
  npm run dev
  STUDIO_PORT=4444 npm run dev`

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

interface Lake {
  url: string
  token: string
  dir: string
  /** Set when this command started the lake (and so stops it). */
  running?: RunningLake
}

/** A lake already answering on LAKE_PORT is reused (its token from LAKE_TOKEN or $LAKE_DIR/token); else one starts here. */
async function openLake(env: Env, log: (line: string) => void): Promise<Lake> {
  const dir = path.resolve(env.LAKE_DIR || DEFAULT_DIR)
  const port = portFrom(env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT')
  const url = `http://${HOST}:${port}`
  if (port !== 0 && (await lakeAnswers(url))) {
    return {url, token: runningLakeToken(url, dir, env.LAKE_TOKEN || undefined), dir}
  }
  const running = await startLake({dir, port, token: env.LAKE_TOKEN || undefined, log})
  return {url: running.url, token: running.token, dir, running}
}

/** Starts `sanity dev` on a private loopback port and resolves once it serves the Studio. */
async function startStudioServer(port: number, lakeDir: string, env: Env, log: (line: string) => void): Promise<ChildProcess> {
  if (!fs.existsSync(SANITY_BIN)) throw new Error(`${SANITY_BIN} is missing: run npm install first`)
  const child = spawn(SANITY_BIN, ['dev', '--port', String(port), '--host', HOST], {
    cwd: ROOT,
    env: {
      ...env,
      // Nothing here may need the network; telemetry would only fail.
      SANITY_TELEMETRY_DISABLED: env.SANITY_TELEMETRY_DISABLED ?? '1',
      DO_NOT_TRACK: env.DO_NOT_TRACK ?? '1',
      // The Studio finds the lake on its own origin; an inherited apiHost would point elsewhere.
      SANITY_STUDIO_API_HOST: '',
      // sanity.cli.ts keeps Vite from serving the lake's directory; it must know which one.
      LAKE_DIR: lakeDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Vite's own banner names its private port; editors should use the front's URL, so its output goes to stderr.
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') log(`[sanity dev] ${line}`)
  }
  child.stdout?.on('data', forward)
  child.stderr?.on('data', forward)

  const deadline = Date.now() + STUDIO_READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`sanity dev exited (${child.exitCode ?? child.signalCode}) before serving the Studio; see its output above`)
    }
    try {
      const res = await fetch(`http://${HOST}:${port}/`, {signal: AbortSignal.timeout(2000)})
      if (res.ok) return child
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  child.kill('SIGTERM')
  throw new Error(`sanity dev did not serve the Studio on http://${HOST}:${port}/ within ${STUDIO_READY_TIMEOUT_MS / 1000} s`)
}

async function main(argv: string[]): Promise<void> {
  const env: Env = process.env
  const log = (line: string) => process.stderr.write(line + '\n')

  const projectId = env.SANITY_STUDIO_PROJECT_ID || PROJECT_ID
  if (projectId !== PROJECT_ID) {
    // A hosted project: Sanity's own dev server, API and login; the local lake is not involved.
    log(`SANITY_STUDIO_PROJECT_ID=${projectId}: running plain \`sanity dev\` against the hosted project`)
    const child = spawn(SANITY_BIN, ['dev', ...argv], {cwd: ROOT, stdio: 'inherit'})
    child.on('exit', (code) => process.exit(code ?? 1))
    return
  }
  parseOptions({args: argv, options: {}})

  // Read before anything starts, so a typo stops here rather than after the Studio has started.
  let frontPort: number
  try {
    frontPort = portFrom(env.STUDIO_PORT, DEFAULT_STUDIO_PORT, 'STUDIO_PORT')
  } catch (err) {
    log(`npm run dev: ${(err as Error).message}`)
    process.exit(1)
  }

  const cleanups: Array<() => Promise<void> | void> = []
  let stopping = false
  const stop = async (code: number) => {
    if (stopping) return
    stopping = true
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup()
      } catch (err) {
        log(`while stopping: ${(err as Error).message}`)
      }
    }
    process.exit(code)
  }
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))

  try {
    const lake = await openLake(env, log)
    if (lake.running) cleanups.push(() => lake.running?.close())

    // The front listens first: the site's links and the Studio's preview URL name its port.
    const studioPort = await freePort()
    const sitePort = await freePort()
    const {cert, key} = await loadOrCreateCertificate(lake.dir)
    const login = createLoginLink(lake.token, PROJECT_ID)
    const front: RunningFront = await startFront({
      port: frontPort,
      cert,
      key,
      lakeUrl: lake.url,
      studioUrl: `http://${HOST}:${studioPort}`,
      siteUrl: `http://${HOST}:${sitePort}`,
      login,
      exposure: exposurePolicy(ROOT, lake.dir),
      log,
    })
    cleanups.push(() => front.close())
    const origin = `https://${PROJECT_ID}.localhost:${front.port}`
    const siteOrigin = `https://${SITE_HOST_NAME}:${front.port}`

    // The reader's site, in this process, reading this lake with its token (drafts for preview).
    const site = await startSite({
      source: await connectSite({LAKE_PORT: new URL(lake.url).port, LAKE_DIR: lake.dir, LAKE_TOKEN: lake.token}),
      // Its addresses are the front's: canonical links, the Studio that may frame it, click-to-edit links.
      config: siteConfigFromEnv({...env, SITE_PORT: String(sitePort), SITE_URL: siteOrigin, SITE_STUDIO_URL: origin, SITE_IMAGE_URL: origin}),
      log,
      buildOverlayNow: true,
    })
    cleanups.push(() => site.close())

    const child = await startStudioServer(studioPort, lake.dir, env, log)
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
          setTimeout(() => child.kill('SIGKILL'), 5000).unref()
        }),
    )
    child.on('exit', (code, signal) => {
      if (stopping) return
      log(`sanity dev stopped (${code ?? signal}); stopping`)
      void stop(1)
    })

    const out = [
      `Newsroom Studio on the local lake (project "${PROJECT_ID}", dataset "production")`,
      `  log in  ${origin}${login.path}`,
      `          ^ open this once per browser: it logs the Studio in to the lake. It is not the lake token, and it works only`,
      `            while this npm run dev runs; still, keep it to yourself.`,
      `  studio  ${origin}/`,
      `  site    ${siteOrigin}/  (the reader's site; the Studio's Presentation tool shows it beside the form)`,
      `  lake    ${lake.url}  (data in ${lake.dir}${lake.running ? '' : '; a lake that was already running'})`,
      `  cert    self-signed, ${path.join(lake.dir, TLS_CERT_FILE)}: on the first visit choose "Advanced" → "Proceed to ${PROJECT_ID}.localhost",`,
      `          and once more on the site's address; or trust that file once (docs/studio.md, "The certificate").`,
      `Ctrl-C stops the Studio, the site${lake.running ? ' and the lake' : ''}.`,
    ]
    process.stdout.write(out.join('\n') + '\n')
  } catch (err) {
    log(`npm run dev: ${(err as Error).message}`)
    await stop(1)
  }
}

runCommand({name: 'npm run dev', usage: USAGE}, main)
