import type {CSSProperties, ReactNode} from 'react'
import type {PreviewProps} from 'sanity'
import {directionOfText, type TextDirection} from '../content/rules'

// Where the Studio renders a type's preview component (reference inputs, some dialogs), each title gets a
// box in its own direction: an Arabic title is right-aligned, starts with its first word, is cut at its end
// (the left) with «…», and keeps its brackets and quote marks in place. Quotes get up to two lines.
// Document lists and search draw previews without this component; src/studio/RtlLayout.tsx covers those.
export function DirectionalPreview(props: PreviewProps) {
  const lines = props.schemaType?.name === 'quote' && props.layout !== 'inline' ? 2 : 1
  return props.renderDefault({
    ...props,
    title: isolate(props.title, props.layout === 'inline' ? 0 : lines),
    subtitle: isolate(props.subtitle, props.layout === 'inline' ? 0 : 1),
  })
}

function isolate(text: PreviewProps['title'], lines: number): PreviewProps['title'] {
  if (typeof text !== 'string') return text
  const dir = directionOfText(text)
  if (lines === 0) return (<bdi dir={dir}>{text}</bdi>) satisfies ReactNode
  return (
    <span dir={dir} data-directional-preview={dir} style={clampStyle(dir, lines)}>
      {text}
    </span>
  ) satisfies ReactNode
}

/** A block in the text's own direction, cut after `lines` lines with the ellipsis at its end. */
export function clampStyle(dir: TextDirection, lines: number): CSSProperties {
  const base: CSSProperties = {display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', textAlign: 'start', unicodeBidi: dir === 'auto' ? 'plaintext' : 'isolate'}
  if (lines <= 1) return {...base, whiteSpace: 'nowrap'}
  return {...base, display: '-webkit-box', WebkitBoxOrient: 'vertical', WebkitLineClamp: lines, whiteSpace: 'normal', overflowWrap: 'anywhere'}
}
