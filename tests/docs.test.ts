import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..')
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

/** Relative link targets and repository paths (src/…, tests/…) a page names. */
function referencedPaths(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
    const target = m[1] as string
    if (!/^[a-z]+:/.test(target)) found.push(path.join(path.dirname(file), target))
  }
  // Paths with an extension or a trailing slash; `tests/cli*.test.ts` (a glob) and "docs/s" (a unit) are not paths.
  for (const m of text.matchAll(/\b((?:src|tests|bench|schemas|migrations|seed|docs)\/[A-Za-z0-9_./-]+)(?![*A-Za-z0-9_])/g)) {
    const target = (m[1] as string).replace(/[.,]+$/, '')
    if (/\.[a-z]+$|\/$/.test(target)) found.push(target)
  }
  return found
}

describe('README and docs', () => {
  it.each(DOCS)('%s names only files that exist', (file) => {
    const missing = referencedPaths(file).filter((p) => !fs.existsSync(path.join(ROOT, p)) && !fs.existsSync(path.join(ROOT, `${p}.ts`)))
    expect(missing).toEqual([])
  })

  it('cite nothing outside the repository', () => {
    for (const file of DOCS) expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), file).not.toMatch(/\.\.\/shared|DESIGN\.md/)
  })

  it('keep the README a short front page', () => {
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(120)
  })
})
