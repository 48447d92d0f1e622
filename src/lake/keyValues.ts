import fs from 'node:fs'
import path from 'node:path'
import {ensurePrivateFile} from './private'
import {fsyncDir} from './wal'

/**
 * The editor's Studio preferences (`users/me/keyvalue`: pane widths, the last perspective,
 * dismissed notices) in `$LAKE_DIR/keyvalue.json`, so that they survive a restart. Each write
 * replaces the file whole: temp file (0600), fsync, rename. They are UI state: a file that does
 * not parse is set aside with a warning rather than stopping the lake.
 */

export const KEY_VALUE_FILE = 'keyvalue.json'

export class KeyValues {
  private readonly values = new Map<string, unknown>()
  private readonly file: string

  constructor(
    private readonly dir: string,
    log: (line: string) => void = () => {},
  ) {
    this.file = path.join(dir, KEY_VALUE_FILE)
    ensurePrivateFile(this.file, 'Studio preferences')
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch {
      return // none yet
    }
    try {
      const stored: unknown = JSON.parse(text)
      if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) throw new Error('not a JSON object')
      for (const [key, value] of Object.entries(stored)) this.values.set(key, value)
    } catch (err) {
      const aside = `${this.file}.unreadable-${Date.now()}`
      fs.renameSync(this.file, aside)
      log(`Studio preferences in ${this.file} could not be read (${(err as Error).message}); moved to ${aside}, starting with none`)
    }
  }

  has(key: string): boolean {
    return this.values.has(key)
  }

  get(key: string): unknown {
    return this.values.get(key)
  }

  keys(): string[] {
    return [...this.values.keys()]
  }

  /** Stores the pairs and makes them durable before returning. */
  setAll(pairs: ReadonlyArray<{key: string; value: unknown}>): void {
    for (const {key, value} of pairs) this.values.set(key, value)
    const tmp = `${this.file}.tmp`
    const fd = fs.openSync(tmp, 'w', 0o600)
    try {
      fs.writeSync(fd, JSON.stringify(Object.fromEntries(this.values)))
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, this.file)
    fsyncDir(this.dir)
  }
}
