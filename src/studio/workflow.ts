// Pure helpers for the newsroom workflow in the Studio (structure lists, publish action, annotation popover).

/** An article's place in the newsroom's workflow; "published" is Sanity's own state, not one of these. */
export const ARTICLE_STATUSES = [
  {title: 'Draft', value: 'draft'},
  {title: 'In review', value: 'inReview'},
  {title: 'Approved', value: 'approved'},
] as const

export type ArticleStatus = (typeof ARTICLE_STATUSES)[number]['value']

/** Midnight at the start of `now`'s day in the editor's own time zone, as an ISO instant (for "Published today"). */
export function startOfLocalDay(now: Date): string {
  const start = new Date(now)
  start.setHours(0, 0, 0, 0)
  return start.toISOString()
}

/** The patch the publish action applies first: publishedAt only when the article has none yet. */
export function publishedAtPatch(current: unknown, now: Date): {set: {publishedAt: string}} | null {
  return typeof current === 'string' && current ? null : {set: {publishedAt: now.toISOString()}}
}

/** The first `count` words of a text, with «…» when there were more. */
export function firstWords(text: string, count: number): string {
  const words = text.trim().split(/\s+/u).filter(Boolean)
  return words.length > count ? `${words.slice(0, count).join(' ')}…` : words.join(' ')
}

/** What the quote annotation's popover says: the speaker and the statement's first words. */
export function quoteAnnotationTitle(quote: {speaker?: string | null; text?: string | null} | null | undefined): string {
  if (!quote) return 'Quote (no quote document chosen)'
  const speaker = quote.speaker || 'no speaker yet'
  const text = quote.text ? `: «${firstWords(quote.text, 6)}»` : ''
  // Isolated, so an Arabic name and statement keep their order inside the English label.
  return `Quote — \u2068${speaker}\u2069${text ? `\u2068${text}\u2069` : ''}`
}
