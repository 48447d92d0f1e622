// Page lines → the article's anatomy: headline, lead candidate, body paragraphs, byline, dateline,
// publication date, outlet credits, and the chrome around them. Every line gets a decision with a
// reason, which the CLI reports on stderr.
import {foldKey, stripConjunction} from './arabic'
import {findDate} from './dates'
import {inlineDateline, knownOutletIn, sourceCredit, splitDateline, type OutletFinding} from './outlet'
import {parsePage, type ChromeKind, type PageLine} from './page'
import {isSubheading, type Paragraph} from './structure'
import {VERB_KEYS} from './vocabulary'

export type LineRole = 'headline' | 'lead' | 'body' | 'chrome'

export interface LineDecision {
  lineNumber: number
  text: string
  role: LineRole
  /** For chrome: what it is. */
  kind?: ChromeKind | 'repeat'
  reason: string
}

export interface Anatomy {
  headline: {text: string; lineNumber?: number; reason: string}
  /** The first paragraph after a headline line: the lead, unless it carries statements of its own. */
  leadCandidate?: PageLine
  /** Body lines after the lead candidate, with their style. */
  paragraphs: Paragraph[]
  byline?: string
  dateline?: {text: string; place?: string; outlet?: string; lineNumber: number}
  publishedAt?: {value: string; lineNumber: number}
  /** Outlet credits found on the page, strongest first. */
  outlets: OutletFinding[]
  decisions: LineDecision[]
}

/** Longest line (in words) still taken as a headline. */
export const HEADLINE_MAX_WORDS = 25
/** Short lines next to the headline (captions, labels, author names) are chrome up to this length. */
export const LABEL_MAX_WORDS = 6
/** Before the headline, a line this short is a section name or label. */
export const SECTION_MAX_WORDS = 3

const words = (text: string): number => text.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w)).length
/** A sentence break inside the line; an ellipsis («... », «.. ») is not one. */
const INNER_BREAK = /(?<![.])[.!?؟](?![.])\s+\S/u
const FINAL_PERIOD = /(?<![.])[.](?![.])["”»)]?\s*$/u

/** Could this line be a headline: short, no sentence ending in a period, one sentence. */
export function headlineLike(line: string): boolean {
  return words(line) >= 2 && words(line) <= HEADLINE_MAX_WORDS && !FINAL_PERIOD.test(line) && !INNER_BREAK.test(line)
}

const startsWithVerb = (line: string): boolean => {
  const first = foldKey(line.split(/\s+/u)[0] ?? '')
  return stripConjunction(first, VERB_KEYS) !== undefined
}

/** Headline text without decoration at its ends («| …», «• …»). */
export const cleanHeadline = (line: string): string => line.replace(/^[|•·\-–—*\s]+|[|•·\-–—*\s]+$/gu, '')

/** A headline made from the first sentence of the first paragraph when the page has no headline line. */
export function headlineFromSentence(paragraph: string, maxWords = 14): string {
  const sentence = paragraph.split(/(?<![.])[.!?؟](?![.])\s/u)[0] ?? paragraph
  const clause = sentence.split(/[،,؛;]/u)[0] ?? sentence
  const parts = clause.trim().replace(/[.!?؟…]+$/u, '').split(/\s+/u)
  return parts.length > maxWords ? `${parts.slice(0, maxWords).join(' ')}…` : parts.join(' ')
}

export function readAnatomy(text: string): Anatomy {
  const page = parsePage(text)
  const chromeByLine = new Map(page.chrome.map((c) => [c.lineNumber, c]))
  const all = [...page.lines, ...page.chrome].sort((a, b) => a.lineNumber - b.lineNumber)
  const decisions: LineDecision[] = []
  const outlets: OutletFinding[] = []
  const decide = (line: PageLine, role: LineRole, reason: string, kind?: LineDecision['kind']): void => {
    decisions.push({lineNumber: line.lineNumber, text: line.text, role, reason, ...(kind ? {kind} : {})})
  }
  const chrome = (line: PageLine, kind: LineDecision['kind'], reason: string): void => decide(line, 'chrome', reason, kind)

  let headline: Anatomy['headline'] | undefined
  let leadCandidate: PageLine | undefined
  let byline: string | undefined
  let dateline: Anatomy['dateline']
  let publishedAt: Anatomy['publishedAt']
  const body: PageLine[] = []
  let seenProse = false
  let tail: string | undefined
  const headlineKey = (): string | undefined => (headline ? foldKey(cleanHeadline(headline.text)) : undefined)
  const counts = new Map<string, number>()
  for (const line of all) counts.set(foldKey(line.text), (counts.get(foldKey(line.text)) ?? 0) + 1)

  for (const line of all) {
    const verdict = chromeByLine.get(line.lineNumber)
    const key = foldKey(line.text)
    const credit = sourceCredit(line.text)
    if (credit) outlets.push({name: credit, reason: `«المصدر» credit on line ${line.lineNumber}`})
    if (verdict) {
      const known = knownOutletIn(line.text)
      if (known) outlets.push({name: known, reason: `the outlet's name on chrome line ${line.lineNumber}`})
      if (verdict.kind === 'date' && !publishedAt) {
        const date = findDate(line.text)
        if (date) publishedAt = {value: date.value, lineNumber: line.lineNumber}
      }
      if (verdict.kind === 'byline' && !byline) byline = line.text
      if (verdict.kind === 'related' && seenProse) tail = line.text
      const dl = splitDateline(line.text)
      if (dl && !dateline) {
        dateline = {text: line.text, lineNumber: line.lineNumber, ...dl}
        if (dl.outlet) outlets.push({name: dl.outlet, reason: `dateline on line ${line.lineNumber}`})
      }
      chrome(line, verdict.kind, verdict.reason)
      continue
    }
    if (tail !== undefined) {
      // headlines and teasers of other articles follow a «اقرأ أيضاً» block; a reporting verb means the article goes on
      if (startsWithVerb(line.text) && /^[وف]/u.test(line.text)) tail = undefined
      else {
        chrome(line, 'related', `after «${tail}»: another article's headline or teaser`)
        continue
      }
    }
    const dl = splitDateline(line.text)
    if (dl && words(line.text) <= 6) {
      if (dateline && foldKey(dateline.text) === key && seenProse) {
        tail = line.text
        chrome(line, 'dateline', 'a second dateline: another article starts here')
        continue
      }
      if (!dateline) {
        dateline = {text: line.text, lineNumber: line.lineNumber, ...dl}
        if (dl.outlet) outlets.push({name: dl.outlet, reason: `dateline on line ${line.lineNumber}`})
      }
      chrome(line, 'dateline', `a dateline${dl.place ? ` (${dl.place})` : ''}`)
      continue
    }
    const dash = (k: string): string => k.replace(/\s*[-–—]\s*/gu, '-')
    if (dateline && seenProse && dash(key).startsWith(dash(foldKey(dateline.text))) && key !== foldKey(dateline.text)) {
      tail = dateline.text
      chrome(line, 'dateline', 'starts with the dateline again: another article')
      continue
    }
    if (!seenProse) {
      const date = findDate(line.text)
      if (date && words(line.text) <= 10) {
        if (!publishedAt) publishedAt = {value: date.value, lineNumber: line.lineNumber}
        chrome(line, 'date', `a date line (${date.value})`)
        continue
      }
      if (!headline) {
        if (headlineLike(line.text) && (words(line.text) > SECTION_MAX_WORDS || /\S\s*[:：]\s*\S/u.test(line.text))) {
          headline = {text: cleanHeadline(line.text), lineNumber: line.lineNumber, reason: 'the first headline-like line'}
          decide(line, 'headline', headline.reason)
          continue
        }
        if ((headlineLike(line.text) || words(line.text) <= SECTION_MAX_WORDS) && !startsWithVerb(line.text) && !/[.،]|\S\s*[:：]\s*\S/u.test(line.text)) {
          chrome(line, 'label', 'a short line before the headline (section name or label)')
          continue
        }
      } else if (foldKey(cleanHeadline(line.text)) === headlineKey()) {
        chrome(line, 'repeat', 'the headline repeated')
        continue
      } else if (headlineLike(line.text) && words(line.text) <= LABEL_MAX_WORDS) {
        chrome(line, 'caption', 'a short line between the headline and the text (caption, label or name)')
        continue
      }
    } else {
      if (headline && foldKey(cleanHeadline(line.text)) === headlineKey()) {
        chrome(line, 'repeat', 'the headline repeated')
        continue
      }
      if (words(line.text) <= 8 && /\([^()]{2,20}\)\s*$/u.test(line.text) && !/[.،]/u.test(line.text)) {
        const known = knownOutletIn(line.text)
        if (known) outlets.push({name: known, reason: `photo credit on line ${line.lineNumber}`})
        chrome(line, 'caption', 'a photo caption with its credit')
        continue
      }
      if ((counts.get(key) ?? 0) > 1 && words(line.text) <= 8 && !/[.!?؟]$/u.test(line.text)) {
        chrome(line, 'caption', 'a short line printed more than once (caption)')
        continue
      }
    }
    if (/:\s*$/u.test(line.text) && words(line.text) <= 4 && !startsWithVerb(line.text)) {
      chrome(line, 'label', 'a short label ending in a colon')
      continue
    }
    if (!seenProse && !headline && headlineLike(line.text) && words(line.text) <= SECTION_MAX_WORDS) {
      chrome(line, 'label', 'a short label')
      continue
    }
    // prose from here on
    const inline = !seenProse ? inlineDateline(line.text) : undefined
    if (inline) outlets.push({name: inline.outlet, reason: `dateline opening line ${line.lineNumber}`})
    if (!seenProse && headline && !leadCandidate) {
      seenProse = true
      leadCandidate = line
      continue
    }
    seenProse = true
    body.push(line)
  }

  if (!headline) {
    const first = leadCandidate ?? body[0]
    if (!first) throw new Error('the page has no content lines (empty, or only page chrome)')
    headline = {text: headlineFromSentence(first.text), reason: `no headline line: made from the first sentence of line ${first.lineNumber}`}
  }
  const paragraphs: Paragraph[] = body.map((line) => ({...line, style: isSubheading(line.text) ? 'h2' : 'normal'}))
  for (const p of paragraphs) decide(p, 'body', p.style === 'h2' ? 'a subheading' : 'a paragraph')
  if (leadCandidate) decide(leadCandidate, 'lead', 'the first paragraph after the headline')
  decisions.sort((a, b) => a.lineNumber - b.lineNumber)
  return {
    headline,
    ...(leadCandidate ? {leadCandidate} : {}),
    paragraphs,
    ...(byline ? {byline} : {}),
    ...(dateline ? {dateline} : {}),
    ...(publishedAt ? {publishedAt} : {}),
    outlets,
    decisions,
  }
}
