import fs from 'node:fs'

/**
 * The lake directory holds every draft and the token: other users on the machine must not read
 * it. New files are made 0600 and the directory 0700; ones made by older versions (or by hand)
 * are tightened, with a warning, since a silent chmod would hide that they were exposed.
 */

function warn(line: string): void {
  process.stderr.write(`lake: warning: ${line}\n`)
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0')
}

function tighten(file: string, mode: number, wanted: number, what: string): void {
  if ((mode & 0o077) === 0) return
  try {
    fs.chmodSync(file, wanted)
    warn(`${what} ${file} was readable by other users (mode ${octal(mode)}); tightened to ${octal(wanted)}`)
  } catch (err) {
    warn(`${what} ${file} is readable by other users (mode ${octal(mode)}) and could not be tightened (${(err as Error).message}); run chmod ${octal(wanted)} ${file}`)
  }
}

/** Creates `dir` (0700) or checks and tightens an existing one; throws a message saying what to do. */
export function ensurePrivateDir(dir: string): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot use the lake directory ${dir}: ${(err as Error).message}; check its path and permissions, or set LAKE_DIR to another directory`)
    }
    try {
      fs.mkdirSync(dir, {recursive: true, mode: 0o700})
    } catch (mkErr) {
      throw new Error(`cannot create the lake directory ${dir}: ${(mkErr as Error).message}; create it yourself or set LAKE_DIR to a directory you can write`)
    }
    return
  }
  if (!stat.isDirectory()) {
    throw new Error(`the lake directory ${dir} exists but is not a directory; move it away or set LAKE_DIR to a directory`)
  }
  // A sticky, shared directory (like /tmp) is not the lake's own: chmod-ing it would break other users.
  if (stat.mode & 0o1000) {
    throw new Error(`the lake directory ${dir} is a shared directory (sticky bit, like /tmp); set LAKE_DIR to a directory of the lake's own, e.g. ${dir}/lake`)
  }
  tighten(dir, stat.mode, 0o700, 'lake directory')
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK)
  } catch {
    throw new Error(
      `cannot read and write the lake directory ${dir} (owner uid ${stat.uid}, mode ${octal(stat.mode)}); run the lake as its owner, fix its mode (chmod 700 ${dir}), or set LAKE_DIR to another directory`,
    )
  }
}

/** Tightens an existing file that holds drafts or secrets to 0600; a missing file is left alone. */
export function ensurePrivateFile(file: string, what: string): void {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    return // missing (made 0600 when created) or unreadable (the caller's open reports it)
  }
  if (stat.isFile()) tighten(file, stat.mode, 0o600, what)
}
