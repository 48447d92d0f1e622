import {BlockquoteIcon} from '@sanity/icons'
import {forwardRef, type SVGProps} from 'react'

/** Marks a preview as a quote's, so lists and search give its text two lines (src/studio/RtlLayout.tsx). */
export const TWO_LINE_PREVIEW_ATTRIBUTE = 'data-preview-lines'

/** The quote type's icon: Sanity's blockquote icon, marked for a two-line title wherever a preview shows it. */
export const QuoteIcon = forwardRef<SVGSVGElement, SVGProps<SVGSVGElement>>(function QuoteIcon(props, ref) {
  return <BlockquoteIcon {...props} ref={ref} {...{[TWO_LINE_PREVIEW_ATTRIBUTE]: '2'}} />
})
