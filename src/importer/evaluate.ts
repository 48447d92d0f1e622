// Scores the importer against hand-labelled pages (tests/fixtures/pages): quotes found (precision,
// recall, F1), speakers right, headline right, chrome lines left in the body, editorial sentences
// taken for quotes. Pure: the caller reads the files.
import {cleanHeadline} from './anatomy'
import {foldKey} from './arabic'
import {importAgencyPage, type ImportResult} from './importer'
import type {EntityDoc, KnownEntities} from './types'

export interface GoldQuote {
  text: string
  /** Names the speaker may go by (any one is right). */
  speaker: string[]
  kind: 'direct' | 'indirect'
}

export interface Gold {
  headline: string | null
  chrome: Array<{line: number; text: string}>
  quotes: GoldQuote[]
  editorial: string[]
}

export interface PageScore {
  page: string
  goldQuotes: number
  predictedQuotes: number
  matched: number
  attributed: number
  kindRight: number
  headline?: boolean
  chromeLines: number
  chromeLeaked: number[]
  editorialSentences: number
  editorialAsQuote: string[]
  missed: string[]
  spurious: string[]
  misattributed: Array<{quote: string; got: string; want: string[]}>
}

export interface Figures {
  pages: number
  quotes: {gold: number; predicted: number; matched: number; precision: number; recall: number; f1: number}
  attribution: {matched: number; right: number; accuracy: number}
  kind: {matched: number; right: number; accuracy: number}
  headline: {pages: number; right: number; accuracy: number}
  chrome: {lines: number; leaked: number}
  editorial: {sentences: number; takenAsQuotes: number}
}

/** Quotes count as the same when their spans overlap by at least this share of their union. */
export const MATCH_OVERLAP = 0.5

type Span = [number, number]
const spanOf = (text: string, part: string): Span | undefined => {
  const at = text.indexOf(part)
  return at < 0 ? undefined : [at, at + part.length]
}
const iou = (a: Span, b: Span): number => {
  const inter = Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]))
  return inter / (Math.max(a[1], b[1]) - Math.min(a[0], b[0]))
}

/** The forms a speaker document goes by: name, aliases, short names, job title, «title name». */
export function speakerForms(doc: EntityDoc | undefined): string[] {
  if (!doc) return []
  const forms = [doc.name, doc.nameLatin, ...(doc.aliases ?? [])]
  if (doc._type === 'organization') forms.push(...(doc.shortNames ?? []))
  else if (doc.jobTitle) forms.push(doc.jobTitle, `${doc.jobTitle} ${doc.name}`)
  return forms.filter((f): f is string => !!f).map((f) => foldKey(f.replace(/['"«»“”]/gu, '')))
}

/** Right when a gold name and a speaker form contain one another, word for word. */
export function sameSpeaker(forms: readonly string[], gold: readonly string[]): boolean {
  const words = (s: string): string[] => s.split(' ').filter(Boolean)
  return gold.some((g) => {
    const gw = words(foldKey(g.replace(/['"«»“”]/gu, '')))
    return forms.some((f) => {
      const fw = words(f)
      const [small, big] = fw.length <= gw.length ? [fw, gw] : [gw, fw]
      return small.length > 0 && small.every((w) => big.includes(w))
    })
  })
}

export function scorePage(page: string, text: string, gold: Gold, result: ImportResult): PageScore {
  const docs = new Map<string, EntityDoc>([...result.people, ...result.organizations].map((d) => [d._id, d]))
  const goldSpans = gold.quotes.map((q) => spanOf(text, q.text))
  const predicted = result.quotes.map((q) => ({q, span: spanOf(text, q.text)}))
  // greedy one-to-one matching, best overlap first
  const pairs: Array<{g: number; p: number; o: number}> = []
  goldSpans.forEach((gs, g) => predicted.forEach(({span}, p) => {
    if (!gs || !span) return
    const o = iou(gs, span)
    if (o >= MATCH_OVERLAP) pairs.push({g, p, o})
  }))
  pairs.sort((a, b) => b.o - a.o)
  const usedG = new Set<number>()
  const usedP = new Set<number>()
  let attributed = 0
  let kindRight = 0
  const misattributed: PageScore['misattributed'] = []
  for (const {g, p} of pairs) {
    if (usedG.has(g) || usedP.has(p)) continue
    usedG.add(g)
    usedP.add(p)
    const want = gold.quotes[g] as GoldQuote
    const got = (predicted[p] as {q: ImportResult['quotes'][number]}).q
    const doc = docs.get(got.speaker._ref)
    if (sameSpeaker(speakerForms(doc), want.speaker)) attributed++
    else misattributed.push({quote: want.text.slice(0, 60), got: doc?.name ?? got.speaker._ref, want: want.speaker})
    if (got.kind === want.kind) kindRight++
  }
  const bodyLines = new Set(result.decisions.filter((d) => d.role === 'body' || d.role === 'lead').map((d) => d.lineNumber))
  const chromeLeaked = gold.chrome.filter((c) => bodyLines.has(c.line)).map((c) => c.line)
  const editorialAsQuote = gold.editorial.filter((e) => {
    const es = spanOf(text, e)
    return !!es && predicted.some(({span}) => !!span && Math.min(es[1], span[1]) - Math.max(es[0], span[0]) > 10)
  })
  return {
    page,
    goldQuotes: gold.quotes.length,
    predictedQuotes: result.quotes.length,
    matched: usedG.size,
    attributed,
    kindRight,
    ...(gold.headline !== null ? {headline: foldKey(cleanHeadline(result.article.headline)) === foldKey(cleanHeadline(gold.headline))} : {}),
    chromeLines: gold.chrome.length,
    chromeLeaked,
    editorialSentences: gold.editorial.length,
    editorialAsQuote,
    missed: gold.quotes.filter((_, g) => !usedG.has(g)).map((q) => q.text.slice(0, 60)),
    spurious: predicted.filter((_, p) => !usedP.has(p)).map(({q}) => q.text.slice(0, 60)),
    misattributed,
  }
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000)

export function summarize(scores: readonly PageScore[]): Figures {
  const sum = (f: (s: PageScore) => number): number => scores.reduce((n, s) => n + f(s), 0)
  const gold = sum((s) => s.goldQuotes)
  const predicted = sum((s) => s.predictedQuotes)
  const matched = sum((s) => s.matched)
  const precision = ratio(matched, predicted)
  const recall = ratio(matched, gold)
  const withHeadline = scores.filter((s) => s.headline !== undefined)
  return {
    pages: scores.length,
    quotes: {gold, predicted, matched, precision, recall, f1: precision + recall === 0 ? 0 : Math.round(((2 * precision * recall) / (precision + recall)) * 1000) / 1000},
    attribution: {matched, right: sum((s) => s.attributed), accuracy: ratio(sum((s) => s.attributed), matched)},
    kind: {matched, right: sum((s) => s.kindRight), accuracy: ratio(sum((s) => s.kindRight), matched)},
    headline: {pages: withHeadline.length, right: withHeadline.filter((s) => s.headline).length, accuracy: ratio(withHeadline.filter((s) => s.headline).length, withHeadline.length)},
    chrome: {lines: sum((s) => s.chromeLines), leaked: sum((s) => s.chromeLeaked.length)},
    editorial: {sentences: sum((s) => s.editorialSentences), takenAsQuotes: sum((s) => s.editorialAsQuote.length)},
  }
}

/** Import one labelled page (no known entities: speakers are found from the text alone) and score it. */
export function evaluatePage(page: string, text: string, gold: Gold, entities: KnownEntities = {people: [], organizations: []}): PageScore {
  return scorePage(page, text, gold, importAgencyPage(text, {entities, sourceKey: page.replace(/\.txt$/, '')}))
}
