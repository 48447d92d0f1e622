// Portable Text blocks from a paragraph and the ranges annotated in it (quotes, mentions).
import {markKey, spanKey} from './keys'
import type {Block, BlockStyle, MarkDef, Span} from './types'

export interface QuoteRange {
  start: number
  end: number
  quoteId: string
}

export interface MentionRange {
  start: number
  end: number
  targetId: string
}

export interface BlockInput {
  key: string
  style: BlockStyle
  text: string
  quotes?: readonly QuoteRange[]
  mentions?: readonly MentionRange[]
}

/**
 * One block: spans split at every annotation boundary, so that the span texts concatenate back to
 * `text` exactly. One quote markDef per quote; one mention markDef per distinct target in the block.
 */
export function buildBlock({key, style, text, quotes = [], mentions = []}: BlockInput): Block {
  const markDefs: MarkDef[] = []
  const annotations: Array<{start: number; end: number; mark: string}> = []
  quotes.forEach((q, i) => {
    const _key = markKey(key, 'q', i)
    markDefs.push({_key, _type: 'quote', quote: {_type: 'reference', _ref: q.quoteId}})
    annotations.push({start: q.start, end: q.end, mark: _key})
  })
  const mentionKeys = new Map<string, string>()
  for (const m of mentions) {
    let _key = mentionKeys.get(m.targetId)
    if (!_key) {
      _key = markKey(key, 'm', mentionKeys.size)
      mentionKeys.set(m.targetId, _key)
      markDefs.push({_key, _type: 'mention', target: {_type: 'reference', _ref: m.targetId}})
    }
    annotations.push({start: m.start, end: m.end, mark: _key})
  }
  for (const a of annotations) {
    if (!(a.start >= 0 && a.start < a.end && a.end <= text.length)) {
      throw new Error(`annotation ${a.mark} [${a.start}, ${a.end}) is outside the block text`)
    }
  }
  const cuts = [...new Set([0, text.length, ...annotations.flatMap((a) => [a.start, a.end])])].sort((a, b) => a - b)
  const children: Span[] = []
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i] as number
    const end = cuts[i + 1] as number
    const marks = annotations.filter((a) => a.start <= start && a.end >= end).map((a) => a.mark)
    const previous = children.at(-1)
    if (previous && previous.marks.join() === marks.join()) {
      previous.text += text.slice(start, end)
      continue
    }
    children.push({_type: 'span', _key: '', text: text.slice(start, end), marks})
  }
  if (children.length === 0) children.push({_type: 'span', _key: '', text: '', marks: []})
  children.forEach((span, i) => (span._key = spanKey(key, i)))
  return {_type: 'block', _key: key, style, markDefs, children}
}

/** The plain text of a block (its spans concatenated). */
export const blockText = (block: Block): string => block.children.map((s) => s.text).join('')
