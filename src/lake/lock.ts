import fs from 'node:fs'
import path from 'node:path'

export const LOCK_FILE = 'lock'

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface DirLock {
  readonly file: string
  release(): void
}

/**
 * One owner process per lake directory: a lock file created with O_EXCL holding the pid.
 * A lock whose pid is dead (a crashed or SIGKILLed lake) is taken over.
 */
export function acquireLock(dir: string): DirLock {
  const file = path.join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600)
      fs.writeSync(fd, `${process.pid}\n`)
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      let released = false
      const release = (): void => {
        if (released) return
        released = true
        process.off('exit', release)
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file)
        } catch {
          /* already gone */
        }
      }
      process.on('exit', release)
      return {file, release}
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let owner = NaN
    try {
      owner = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10)
    } catch {
      continue // removed between open and read: try again
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      const who = owner === process.pid ? 'this process' : `pid ${owner}`
      throw new Error(`another lake (${who}) owns ${path.resolve(dir)}; stop it or set LAKE_DIR to another directory`)
    }
    // Stale (dead pid) or half-written by a crash between create and write: take it over.
    // Move it aside and re-check what was moved, in case another process took it over first.
    const aside = `${file}.stale-${process.pid}`
    try {
      fs.renameSync(file, aside)
      const moved = Number.parseInt(fs.readFileSync(aside, 'utf8').trim(), 10)
      if (moved !== owner && Number.isInteger(moved) && isAlive(moved)) {
        fs.renameSync(aside, file)
        throw new Error(`another lake (pid ${moved}) owns ${path.resolve(dir)}; stop it or set LAKE_DIR to another directory`)
      }
      fs.rmSync(aside, {force: true})
    } catch (err) {
      if ((err as Error).message.startsWith('another lake')) throw err
      /* someone else moved it first; retry */
    }
  }
  throw new Error(`could not take the lock ${file}; remove it if no lake is running`)
}
