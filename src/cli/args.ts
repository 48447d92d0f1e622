// The one argument parser of the scripts (node:util parseArgs), their exit codes and the checks
// of option values. Exit codes: 0 done, 1 failed, 2 usage (unknown option, bad value; the usage
// is printed after the message).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {exitQuietlyOnClosedStdout} from './stdout'

/** A mistake in the command line: printed with the usage, exit 2. */
export class UsageError extends Error {}

/** A failure the script explains itself, with the exit code it asks for. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export interface Command {
  /** Prefix of every message, e.g. `query`. */
  name: string
  /** The whole help text: usage line, what it does, options, examples. */
  usage: string
}

/** Whether the module with this `import.meta.url` is the script being run (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(path.resolve(process.argv[1])).href
}

/** `--help` or `-h` before a `--` terminator: the usage only, nothing done. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')
}

/** node:util parseArgs in strict mode, its errors turned into short UsageErrors. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    // strict: unknown options are errors (parseArgs' default, said here so no caller turns it off unseen).
    return parseArgs({...config, strict: true} as T)
  } catch (error) {
    throw new UsageError(parseErrorMessage(error))
  }
}

function parseErrorMessage(error: unknown): string {
  const {code, message} = error as {code?: string; message: string}
  const option = /'(-[^' ]+)/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(message)?.[1]
    return `unexpected argument${arg === undefined ? '' : ` ${JSON.stringify(arg)}`}`
  }
  return message
}

/** Exits once stdout has taken what was written (a pipe may still hold it). */
function exit(code: number): void {
  process.exitCode = code
  process.stdout.write('', () => process.exit(code))
}

/**
 * Runs a script's main: `--help` prints the usage and exits 0 before main is called; the code
 * main returns is the exit code; a UsageError exits 2 with the usage, any other error exits 1 (or
 * its CliError code) with one message.
 */
export function runCommand(command: Command, main: (argv: string[]) => Promise<number | void>, argv = process.argv.slice(2)): void {
  exitQuietlyOnClosedStdout()
  if (wantsHelp(argv)) {
    process.stdout.write(`${command.usage}\n`)
    return exit(0)
  }
  main(argv).then(
    // No code: a server that keeps running until a signal stops it.
    (code) => (code === undefined ? undefined : exit(code)),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${command.name}: ${error.message}\n\n${command.usage}\n`)
        return exit(2)
      }
      process.stderr.write(`${command.name}: ${error instanceof Error ? error.message : String(error)}\n`)
      exit(error instanceof CliError ? error.exitCode : 1)
    },
  )
}

/** A TCP port from an option: 1-65535, or 0 (any free port) where `allowZero`. */
export function portOption(value: string, option: string, {allowZero = false} = {}): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN
  const low = allowZero ? 0 : 1
  if (!Number.isInteger(port) || port < low || port > 65535) {
    throw new UsageError(`${option} ${value}: not a port number (${low}-65535${allowZero ? '; 0 = any free port' : ''})`)
  }
  return port
}

/** A file the script reads: it must exist and be readable; `-` (stdin) passes. */
export function readableFile(file: string, what: string): string {
  if (file === '-') return file
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
    fs.accessSync(file, fs.constants.R_OK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`Cannot read ${what} ${path.resolve(file)}: ${code}${code === 'ENOENT' ? ' (no such file)' : ''}`)
  }
  if (stat.isDirectory()) throw new UsageError(`${what} ${path.resolve(file)} is a directory, not a file`)
  return file
}

/** A directory that must already exist. */
export function existingDir(dir: string, what: string): string {
  let stat: fs.Stats
  try {
    stat = fs.statSync(dir)
  } catch {
    throw new UsageError(`${what} ${path.resolve(dir)}: no such directory`)
  }
  if (!stat.isDirectory()) throw new UsageError(`${what} ${path.resolve(dir)} is not a directory`)
  return dir
}

/**
 * A file the script writes (`-` = stdout passes): its directory must exist, it must not be a
 * directory, and it must not be a file git tracks (an `--out` into the checkout would replace it).
 */
export function writableFile(file: string, what: string): string {
  if (file === '-') return file
  const full = path.resolve(file)
  existingDir(path.dirname(full), `the directory of ${what}`)
  if (fs.existsSync(full) && fs.statSync(full).isDirectory()) throw new UsageError(`${what} ${full} is a directory, not a file`)
  if (fs.existsSync(full) && isTrackedByGit(full)) {
    throw new UsageError(`${what} ${full} is a file tracked by git: refusing to overwrite it; choose another name (e.g. out/article.html)`)
  }
  return file
}

function isTrackedByGit(file: string): boolean {
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', '--', path.basename(file)], {cwd: path.dirname(file), stdio: 'ignore'})
    return true
  } catch {
    return false // untracked, outside a repository, or no git: nothing of git's to protect
  }
}

/** Reads all of stdin as text (for `-`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}
