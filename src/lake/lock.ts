import fs from 'node:fs'
import path from 'node:path'

export const LOCK_FILE = 'lock'

/**
 * Who holds the lock: the pid, and on Linux the process's start time (in clock ticks since boot,
 * /proc/<pid>/stat field 22) and the boot id. A pid alone is reused by unrelated processes after a
 * lake dies; pid + start time + boot names one process only.
 */
interface Owner {
  pid: number
  start?: string
  boot?: string
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

const bootId = readOrUndefined('/proc/sys/kernel/random/boot_id')?.trim() || undefined

function startTimeOf(pid: number): string | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // Field 2 (the command name) is in parentheses and may hold spaces; count fields after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || undefined
}

/** Whether a process with this pid exists (under any user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function format(owner: Owner): string {
  return `${owner.pid} ${owner.start ?? '-'} ${owner.boot ?? '-'}\n`
}

function parse(text: string): Owner | null {
  const [pid, start, boot] = text.trim().split(/\s+/)
  if (!/^[1-9]\d*$/.test(pid ?? '')) return null
  return {pid: Number(pid), start: start && start !== '-' ? start : undefined, boot: boot && boot !== '-' ? boot : undefined}
}

/** Whether the process that wrote the lock still runs (and not some other process that got its pid). */
function holds(owner: Owner): boolean {
  if (!isAlive(owner.pid)) return false
  if (owner.boot && bootId && owner.boot !== bootId) return false // written before a reboot
  const start = startTimeOf(owner.pid)
  if (owner.start) return start === undefined || start === owner.start
  // A lock from before start times (pid only): a lake is a node process, so a pid now held by
  // something else was reused.
  const argv0 = readOrUndefined(`/proc/${owner.pid}/cmdline`)?.split('\0')[0]
  return argv0 === undefined || /node/i.test(path.basename(argv0))
}

function read(file: string): Owner | null | undefined {
  const text = readOrUndefined(file)
  return text === undefined ? undefined : parse(text)
}

function refusal(owner: Owner, dir: string): Error {
  const who = owner.pid === process.pid ? 'this process' : `pid ${owner.pid}`
  return new Error(`another lake (${who}) owns ${path.resolve(dir)}; stop it or set LAKE_DIR to another directory`)
}

export interface DirLock {
  readonly file: string
  release(): void
}

/**
 * One owner process per lake directory: a lock file created with O_EXCL naming its process.
 * A lock whose process is gone (a crashed or SIGKILLed lake, even if its pid was reused since)
 * is taken over.
 */
export function acquireLock(dir: string): DirLock {
  const file = path.join(dir, LOCK_FILE)
  const me: Owner = {pid: process.pid, start: startTimeOf(process.pid), boot: bootId}
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600)
      fs.writeSync(fd, format(me))
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      let released = false
      const release = (): void => {
        if (released) return
        released = true
        process.off('exit', release)
        try {
          if (read(file)?.pid === process.pid) fs.unlinkSync(file)
        } catch {
          /* already gone */
        }
      }
      process.on('exit', release)
      return {file, release}
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'EEXIST') {
        throw new Error(`cannot create the lock file ${file}: ${(err as Error).message}; check that the lake directory is yours and writable, or set LAKE_DIR to another directory`)
      }
    }
    const owner = read(file)
    if (owner === undefined) continue // removed between open and read: try again
    if (owner && holds(owner)) throw refusal(owner, dir)
    // Stale (its process is gone) or half-written by a crash between create and write: take it over.
    // Move it aside and re-check what was moved, in case another process took it over first.
    const aside = `${file}.stale-${process.pid}`
    try {
      fs.renameSync(file, aside)
    } catch {
      continue // someone else moved it first; retry
    }
    const moved = read(aside)
    if (moved && moved.pid !== owner?.pid && holds(moved)) {
      fs.renameSync(aside, file)
      throw refusal(moved, dir)
    }
    fs.rmSync(aside, {force: true})
  }
  throw new Error(`could not take the lock ${file}; remove it if no lake is running`)
}
