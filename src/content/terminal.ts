// Terminals that implement Unicode bidi (VTE-based terminals, Konsole, mlterm) lay out a line by
// its first strong character; isolating each text keeps an Arabic run right to left inside an
// English-labelled line. The isolate marks are added around the text, never inside it.
import {directionOfText, type TextDirection} from './rules'

const OPEN: Record<TextDirection, string> = {rtl: '\u2067', ltr: '\u2066', auto: '\u2068'}
const CLOSE = '\u2069'

export function isolate(text: string, dir: TextDirection = directionOfText(text)): string {
  return `${OPEN[dir]}${text}${CLOSE}`
}
