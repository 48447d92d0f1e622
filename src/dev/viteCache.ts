// Which Vite cache directory one `sanity dev` uses. All runs share Sanity's default
// (node_modules/.sanity/vite), and a run that re-optimizes its dependencies rewrites it under the
// others: their Studios then ask for files that are gone ("Outdated Optimize Dep", blank Studio).
// So the first run holds the shared cache (a lock file naming its process), and a run that starts
// while another holds it works on its own copy, removed when it exits. A copy (56 MB, about 0.1 s)
// starts as warm as the shared cache; an empty one would cost Vite's full dependency build (about
// 5 s more before the Studio shows, measured on a 2-core machine).
import fs from 'node:fs'
import path from 'node:path'
import {isAlive} from '../lake/lock'

/** Sanity's default, relative to the project (@sanity/cli-build's SANITY_CACHE_DIR + '/vite'). */
export const DEFAULT_VITE_CACHE_DIR = 'node_modules/.sanity/vite'
const RUN_DIR = /-run-(\d+)$/

/** Takes the lock when it is free or its holder is gone; false while a live process holds it. */
function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(path.dirname(lock), {recursive: true})
      fs.writeFileSync(lock, String(process.pid), {flag: 'wx'})
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number(fs.readFileSync(lock, 'utf8').trim())
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) return false
    // Left by a run that was killed: take it over (another run doing the same loses the 'wx' race).
    fs.rmSync(lock, {force: true})
  }
  return false
}

/** Copies the shared dependency cache when it is whole (every file its metadata names), else starts empty. */
function seed(shared: string, own: string): void {
  const deps = path.join(shared, 'deps')
  try {
    const metadata = JSON.parse(fs.readFileSync(path.join(deps, '_metadata.json'), 'utf8')) as {optimized?: Record<string, {file?: string}>}
    fs.cpSync(deps, path.join(own, 'deps'), {recursive: true})
    const files = Object.values(metadata.optimized ?? {}).flatMap((dep) => (dep.file ? [dep.file] : []))
    // Copied while the holder rewrote it: Vite would trust the metadata and serve missing files.
    if (!files.every((file) => fs.existsSync(path.join(own, 'deps', file)))) fs.rmSync(own, {recursive: true, force: true})
  } catch {
    fs.rmSync(own, {recursive: true, force: true})
  }
}

/** Removes copies left by runs that were killed before they could remove their own. */
function sweep(shared: string): void {
  const parent = path.dirname(shared)
  const prefix = path.basename(shared) + '-run-'
  let names: string[]
  try {
    names = fs.readdirSync(parent)
  } catch {
    return
  }
  for (const name of names) {
    const pid = Number(RUN_DIR.exec(name)?.[1])
    if (name.startsWith(prefix) && pid !== process.pid && !isAlive(pid)) fs.rmSync(path.join(parent, name), {recursive: true, force: true})
  }
}

/**
 * The cache directory for this `sanity dev` process: the shared one when no other live run holds
 * it, else `<shared>-run-<pid>`, seeded from the shared one. Lock and copy go when the process exits.
 */
export function viteCacheDirForRun(root: string, configured: string = DEFAULT_VITE_CACHE_DIR): string {
  const shared = path.resolve(root, configured)
  const lock = `${shared}.lock`
  sweep(shared)
  if (takeLock(lock)) {
    process.once('exit', () => {
      try {
        if (fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock, {force: true})
      } catch {
        /* already gone */
      }
    })
    return shared
  }
  const own = `${shared}-run-${process.pid}`
  fs.rmSync(own, {recursive: true, force: true})
  seed(shared, own)
  process.once('exit', () => fs.rmSync(own, {recursive: true, force: true}))
  return own
}
