/**
 * key → set of ids. Most keys of the lake's indexes (a slug, the target of one reference) have a
 * single id: it is stored as a plain string, and a Set is made only for the second one.
 */
export class MultiMap {
  private readonly map = new Map<string, string | Set<string>>()

  add(key: string, id: string): void {
    const current = this.map.get(key)
    if (current === undefined) this.map.set(key, id)
    else if (typeof current === 'string') {
      if (current !== id) this.map.set(key, new Set([current, id]))
    } else current.add(id)
  }

  delete(key: string, id: string): void {
    const current = this.map.get(key)
    if (current === undefined) return
    if (typeof current === 'string') {
      if (current === id) this.map.delete(key)
      return
    }
    current.delete(id)
    if (current.size === 1) this.map.set(key, current.values().next().value as string)
  }

  count(key: string): number {
    const current = this.map.get(key)
    return current === undefined ? 0 : typeof current === 'string' ? 1 : current.size
  }

  has(key: string, id: string): boolean {
    const current = this.map.get(key)
    return current === undefined ? false : typeof current === 'string' ? current === id : current.has(id)
  }

  ids(key: string): Iterable<string> {
    const current = this.map.get(key)
    return current === undefined ? [] : typeof current === 'string' ? [current] : current
  }

  keys(): IterableIterator<string> {
    return this.map.keys()
  }

  get keyCount(): number {
    return this.map.size
  }
}
