// `npm run eval:import` on the held-out pages: the figures it prints are the ones computed from the
// gold labels, the set is what the manifest says it is, and the goals hold.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFAULT_DIR, evaluateSet, type Manifest} from '../src/cli/evalImport'
import {sameSpeaker, speakerForms} from '../src/importer/evaluate'
import type {Figures} from '../src/importer/evaluate'
import {runScript} from './helpers/lake'

const manifest = JSON.parse(readFileSync(join(DEFAULT_DIR, 'manifest.json'), 'utf8')) as Manifest

describe('the evaluation set', () => {
  it('has at least 30 pages from at least 20 outlets, a third of them held out, each with its source URL and gold labels', () => {
    expect(manifest.pages.length).toBeGreaterThanOrEqual(30)
    expect(new Set(manifest.pages.map((p) => p.outlet)).size).toBeGreaterThanOrEqual(20)
    expect(manifest.pages.filter((p) => p.set === 'heldout').length * 3).toBeGreaterThanOrEqual(manifest.pages.length)
    for (const p of manifest.pages) {
      expect(p.url).toMatch(/^https?:\/\//)
      const text = readFileSync(join(DEFAULT_DIR, p.file), 'utf8')
      const gold = JSON.parse(readFileSync(join(DEFAULT_DIR, p.file.replace(/\.txt$/, '.gold.json')), 'utf8')) as {
        quotes: Array<{text: string}>
        chrome: Array<{line: number; text: string}>
      }
      const lines = text.split('\n')
      for (const q of gold.quotes) expect(text, `${p.file}: ${q.text}`).toContain(q.text)
      for (const c of gold.chrome) expect(lines[c.line - 1]?.trim(), `${p.file}:${c.line}`).toBe(c.text)
    }
  })
})

describe('npm run eval:import', () => {
  it('prints the held-out figures it computes from the gold labels', async () => {
    const run = await runScript('src/cli/evalImport.ts', ['--set', 'heldout', '--json'], {}, 60_000)
    expect(run.code, run.stderr).toBe(0)
    const printed = JSON.parse(run.stdout) as {heldout: Figures}
    const {figures, scores} = evaluateSet(DEFAULT_DIR, 'heldout')
    expect(printed.heldout).toEqual(figures)
    expect(scores.map((s) => s.page).sort()).toEqual(manifest.pages.filter((p) => p.set === 'heldout').map((p) => p.file).sort())
    // the figures follow from the per-page counts and from the gold files, read here
    const heldout = manifest.pages.filter((p) => p.set === 'heldout')
    const goldQuotes = heldout.reduce((n, p) => {
      const gold = JSON.parse(readFileSync(join(DEFAULT_DIR, p.file.replace(/\.txt$/, '.gold.json')), 'utf8')) as {quotes: unknown[]}
      return n + gold.quotes.length
    }, 0)
    expect(figures.pages).toBe(heldout.length)
    expect(figures.quotes.gold).toBe(goldQuotes)
    const matched = scores.reduce((n, s) => n + s.matched, 0)
    expect(figures.quotes.matched).toBe(matched)
    // ratios are printed to three decimals
    expect(figures.quotes.recall).toBe(Math.round((matched / goldQuotes) * 1000) / 1000)
    expect(figures.quotes.precision).toBe(Math.round((matched / figures.quotes.predicted) * 1000) / 1000)
    // the goals, on pages the rules were not tuned on
    expect(figures.quotes.f1).toBeGreaterThanOrEqual(0.85)
    expect(figures.attribution.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(figures.headline.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(figures.chrome.leaked).toBe(0)
    expect(figures.editorial.takenAsQuotes).toBe(0)
  })

  it('prints usage with --help and refuses an unknown set', async () => {
    const help = await runScript('src/cli/evalImport.ts', ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/usage: npm run -s eval:import/)
    const bad = await runScript('src/cli/evalImport.ts', ['--set', 'everything'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--set must be/)
  })

  it('matches speakers word for word, not by any shared letter', () => {
    const forms = speakerForms({_id: 'p', _type: 'person', name: 'سامر حداد', jobTitle: 'وزير المالية', slug: {_type: 'slug', current: 'x'}})
    expect(sameSpeaker(forms, ['حداد'])).toBe(true)
    expect(sameSpeaker(forms, ['وزير المالية'])).toBe(true)
    expect(sameSpeaker(forms, ['سامر الحداد'])).toBe(false)
  })
})
