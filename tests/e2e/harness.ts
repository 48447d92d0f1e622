// `npm run dev` on a fresh lake and headless Chromium, for the browser tests.
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {chromium, type Browser, type Page} from 'playwright-core'
import {REPO_ROOT, runScript} from '../helpers/lake'

export const ARTIFACTS = path.join(REPO_ROOT, 'test-results')
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export interface Dev {
  proc: ChildProcess
  loginUrl: string
  /** The Studio's origin, https://local.localhost:<port>. */
  origin: string
  /** The reader site's origin on the same front, https://site.localhost:<port>. */
  siteOrigin: string
  lakeUrl: string
  token: string
  output(): string
}

/** Starts `npm run dev` (its own process group, so `sanity dev`, a grandchild, can be stopped too). */
export function startDev(lakeDir: string, timeoutMs = 180_000): Promise<Dev> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/dev.ts')], {
    cwd: REPO_ROOT,
    env: {...process.env, LAKE_DIR: lakeDir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', STUDIO_PORT: '0', LAKE_TOKEN: ''},
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  let err = ''
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c))
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev printed no URLs within ${timeoutMs / 1000} s\nstdout: ${out}\nstderr: ${err}`)), timeoutMs)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`npm run dev exited (${code}) before it was ready\nstdout: ${out}\nstderr: ${err}`))
    })
    proc.stdout!.on('data', () => {
      if (!out.includes('Ctrl-C')) return
      clearTimeout(timer)
      const loginUrl = /log in {2}(https:\/\/\S+)/.exec(out)?.[1]
      const siteUrl = /site {4}(https:\/\/\S+)/.exec(out)?.[1]
      const lakeUrl = /lake {4}(http:\/\/\S+)/.exec(out)?.[1]
      if (!loginUrl || !siteUrl || !lakeUrl) return reject(new Error(`unexpected npm run dev output:\n${out}`))
      // The lake made its token on start; npm run dev must not print it.
      const token = fs.readFileSync(path.join(lakeDir, 'token'), 'utf8').trim()
      resolve({proc, loginUrl, origin: new URL(loginUrl).origin, siteOrigin: new URL(siteUrl).origin, lakeUrl, token, output: () => `${out}\n${err}`})
    })
  })
}

export async function stopDev(dev: Dev | undefined): Promise<void> {
  if (!dev || dev.proc.exitCode !== null || dev.proc.signalCode !== null) return
  const exited = new Promise((resolve) => dev.proc.once('exit', resolve))
  dev.proc.kill('SIGTERM')
  const timer = setTimeout(() => {
    try {
      process.kill(-dev.proc.pid!, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }, 10_000)
  await exited
  clearTimeout(timer)
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}

/** `npm run seed` into the lake that `npm run dev` serves (its own token, not one from the environment). */
export async function seedDevLake(lakeDir: string, dev: Dev): Promise<void> {
  const seeded = await runScript('src/cli/seed.ts', [], {LAKE_DIR: lakeDir, LAKE_PORT: new URL(dev.lakeUrl).port, LAKE_TOKEN: ''}, 120_000)
  if (seeded.code !== 0) throw new Error(`npm run seed failed (${seeded.code}):\n${seeded.stdout}\n${seeded.stderr}`)
}

/**
 * A page in a fresh context that collects uncaught errors into `pageErrors`. The certificate is the
 * lake's self-signed one, which a person accepts once in the browser.
 */
export async function newStudioPage(
  browser: Browser,
  options: {width: number; height: number; locale: string},
  pageErrors: string[],
): Promise<Page> {
  const context = await browser.newContext({ignoreHTTPSErrors: true, viewport: {width: options.width, height: options.height}, locale: options.locale})
  const page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message))
  return page
}

/** Opens the log-in link `npm run dev` printed and waits until the Studio has taken the token. */
export async function logIn(page: Page, dev: Dev): Promise<void> {
  await page.goto(dev.loginUrl)
  await page.waitForURL((url) => !url.pathname.includes('__lake-login'), {timeout: 120_000})
}

export interface Toast {
  tone: string | null
  text: string
}

/** Every Studio toast the page shows (its tone and text) goes into `toasts`, as it appears. */
export async function collectToasts(page: Page, toasts: Toast[]): Promise<void> {
  await page.exposeFunction('__reportToast', (tone: string | null, text: string) => toasts.push({tone, text}))
  await page.addInitScript(() => {
    const seen = new WeakSet<Element>()
    const report = (window as unknown as {__reportToast: (tone: string | null, text: string) => void}).__reportToast
    new MutationObserver(() => {
      for (const toast of document.querySelectorAll('[data-ui="Toast"]')) {
        if (seen.has(toast)) continue
        seen.add(toast)
        report(toast.getAttribute('data-tone'), (toast.textContent ?? '').trim())
      }
    }).observe(document, {childList: true, subtree: true})
  })
}
