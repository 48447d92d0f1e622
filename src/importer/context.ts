// State shared by the statement and speaker rules while one article is read (kept apart from both,
// so neither module imports the other's types).
import type {EntityTable} from './entities'

export interface SpeakerState {
  /** The last speaker named explicitly, for cues that name no one (وأضاف …). */
  lastSpeaker?: string
  /** Line number where lastSpeaker was named: a continuation in a later paragraph is less sure. */
  lastSpeakerLine?: number
  /** Gender/number of the last speaker when the text shows it (قالت → f, قالوا → p). */
  lastSpeakerAgreement?: Agreement
  /** Speakers named so far, oldest first, with the agreement their verb showed. */
  history?: Array<{id: string; agreement?: Agreement}>
  /** The previous paragraph ended inside an open quote mark: a closing mark here ends that quote. */
  openQuote?: boolean
}

/** Verb agreement: masculine singular, feminine singular, dual or plural. */
export type Agreement = 'm' | 'f' | 'p'

export interface StatementContext {
  table: EntityTable
  state: SpeakerState
  warnings: string[]
  /** For warnings: where the paragraph is. */
  where: string
  /** Line number of the paragraph (for continuation confidence). */
  lineNumber?: number
  /** The article's source key: people the text does not name are scoped to it. */
  articleKey: string
  /** A speaker for cues that name no one before anyone is named (the one the headline names). */
  fallback?: () => string | undefined
  /** Text before this paragraph (headline, lead, earlier paragraphs), for full names of surnames. */
  earlier?: string
}
