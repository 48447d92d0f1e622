import type {LayoutProps} from 'sanity'
import {createGlobalStyle} from 'styled-components'

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

const DirectionalTitles = createGlobalStyle`
  ${TITLES.flatMap((title) => [title, `${title} > span`, `${title} > span > span`]).join(',\n  ')} {
    unicode-bidi: plaintext;
    text-align: start;
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
