import type {LayoutProps} from 'sanity'
import {createGlobalStyle} from 'styled-components'
import {TWO_LINE_PREVIEW_ATTRIBUTE} from './QuoteIcon'

// The Studio draws most titles as plain strings in left-to-right boxes: list rows and search hits (which do
// not go through a type's preview component), pane headers, breadcrumbs and the document title. With
// `unicode-bidi: plaintext` each paragraph takes its direction from its own first strong letter, so an
// Arabic title is right-aligned, keeps its punctuation in place and is cut (with «…») at its end, on the
// left. unicode-bidi is not inherited, and Sanity UI wraps text in block spans, hence the `> span` rules.
const TITLES = [
  "[data-testid='pane-header'] [data-ui='Text']",
  "[data-testid='document-header-breadcrumb'] [data-ui='Text']",
  "[data-testid='default-preview__header'] [data-ui='Text']",
  "[data-testid='compact-preview__header'] [data-ui='Text']",
  "[data-testid='detail-preview__header'] [data-ui='Text']",
  "[data-testid='document-panel-document-title']",
]

// A quote's preview (marked by its type's icon, src/studio/QuoteIcon.tsx) gets two lines in list rows and
// search hits, cut at the end of the second line in reading order: for Arabic, its left end. List rows
// grow to fit (the list measures them); a search hit keeps its fixed height, which two lines and the
// subtitle fit, as Sanity UI trims the text boxes.
const QUOTE_PREVIEW = `[data-testid='default-preview']:has([${TWO_LINE_PREVIEW_ATTRIBUTE}='2'])`
const QUOTE_TITLE = `${QUOTE_PREVIEW} [data-testid='default-preview__header'] > [data-ui='Text']:first-child > span > span`

const DirectionalTitles = createGlobalStyle`
  ${TITLES.flatMap((title) => [title, `${title} > span`, `${title} > span > span`]).join(',\n  ')} {
    unicode-bidi: plaintext;
    text-align: start;
  }
  ${QUOTE_TITLE} {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: 2;
    white-space: normal;
    overflow-wrap: anywhere;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  [data-testid='document-list-pane'] ${QUOTE_PREVIEW} {
    height: auto;
    min-height: 2.0625rem;
  }
`

export function RtlLayout(props: LayoutProps) {
  return (
    <>
      <DirectionalTitles />
      {props.renderDefault(props)}
    </>
  )
}
