// npm run eval:import -- [--set tuning|heldout|all] [--json] [--pages] [--dir <fixtures dir>]
// Scores the importer on the labelled pages in tests/fixtures/pages and prints the figures for the
// tuning and held-out sets separately.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {existingDir, isMain, parseOptions, readableFile, runCommand, UsageError} from './args'
import {evaluatePage, summarize, type Figures, type Gold, type PageScore} from '../importer/evaluate'

const USAGE = `usage: npm run -s eval:import -- [options]

Imports every labelled page in the evaluation set and compares the result with its gold labels.

options:
  --set <name>   tuning, heldout or all (default: all, each set reported separately)
  --json         print the figures as JSON (one object keyed by set) instead of a table
  --pages        also list each page's misses (tuning pages only, unless --set heldout)
  --dir <path>   the evaluation set (default: tests/fixtures/pages)
  -h, --help     show this help

examples:
  npm run -s eval:import
  npm run -s eval:import -- --set tuning --pages
  npm run -s eval:import -- --json > figures.json`

export interface Manifest {
  pages: Array<{file: string; outlet: string; url: string; set: 'tuning' | 'heldout'}>
}

export const DEFAULT_DIR = fileURLToPath(new URL('../../tests/fixtures/pages', import.meta.url))

export function evaluateSet(dir: string, set: 'tuning' | 'heldout'): {figures: Figures; scores: PageScore[]} {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  const scores = manifest.pages
    .filter((p) => p.set === set)
    .map((p) => {
      const text = readFileSync(join(dir, p.file), 'utf8')
      const gold = JSON.parse(readFileSync(join(dir, p.file.replace(/\.txt$/, '.gold.json')), 'utf8')) as Gold
      return evaluatePage(p.file, text, gold)
    })
  return {figures: summarize(scores), scores}
}

function table(name: string, f: Figures): string {
  return [
    `${name} (${f.pages} pages)`,
    `  quotes        precision ${f.quotes.precision}  recall ${f.quotes.recall}  F1 ${f.quotes.f1}  (gold ${f.quotes.gold}, found ${f.quotes.predicted}, matched ${f.quotes.matched})`,
    `  attribution   ${f.attribution.accuracy}  (${f.attribution.right} of ${f.attribution.matched} matched quotes)`,
    `  kind          ${f.kind.accuracy}  (direct/indirect right on ${f.kind.right} of ${f.kind.matched})`,
    `  headline      ${f.headline.accuracy}  (${f.headline.right} of ${f.headline.pages} pages with a headline line)`,
    `  chrome        ${f.chrome.leaked} of ${f.chrome.lines} chrome lines left in the body`,
    `  editorial     ${f.editorial.takenAsQuotes} of ${f.editorial.sentences} editorial sentences taken as quotes`,
  ].join('\n')
}

export function main(argv: readonly string[]): number {
  const {values} = parseOptions({
    args: [...argv],
    options: {
      set: {type: 'string', default: 'all'},
      json: {type: 'boolean', default: false},
      pages: {type: 'boolean', default: false},
      dir: {type: 'string', default: DEFAULT_DIR},
    },
    allowPositionals: false,
  })
  const isSet = (name: string): name is 'tuning' | 'heldout' => name === 'tuning' || name === 'heldout'
  const sets: Array<'tuning' | 'heldout'> = values.set === 'all' ? ['tuning', 'heldout'] : isSet(values.set) ? [values.set] : []
  if (sets.length === 0) throw new UsageError(`--set must be tuning, heldout or all (not ${JSON.stringify(values.set)})`)
  existingDir(values.dir, '--dir')
  readableFile(join(values.dir, 'manifest.json'), 'the evaluation set\'s manifest')
  const out: Record<string, Figures> = {}
  for (const set of sets) {
    const {figures, scores} = evaluateSet(values.dir, set)
    out[set] = figures
    if (!values.json) {
      process.stdout.write(`${table(set, figures)}\n`)
      if (values.pages && (set === 'tuning' || values.set === 'heldout')) {
        for (const s of scores) {
          const problems = [
            ...s.missed.map((m) => `    missed: ${m}`),
            ...s.spurious.map((m) => `    extra:  ${m}`),
            ...s.misattributed.map((m) => `    speaker: ${m.got} ≠ ${m.want[0]} — ${m.quote}`),
            ...s.chromeLeaked.map((l) => `    chrome in body: line ${l}`),
            ...s.editorialAsQuote.map((e) => `    editorial as quote: ${e.slice(0, 60)}`),
            ...(s.headline === false ? ['    headline wrong'] : []),
          ]
          if (problems.length) process.stdout.write(`  ${s.page}\n${problems.join('\n')}\n`)
        }
      }
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`)
  return 0
}

if (isMain(import.meta.url)) runCommand({name: 'eval:import', usage: USAGE}, async (argv) => main(argv))
