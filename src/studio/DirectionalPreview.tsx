import type {ReactNode} from 'react'
import type {PreviewProps} from 'sanity'
import {directionOfText} from '../content/rules'

// In the Studio's left-to-right lists an Arabic title ending in punctuation («…داعش”.») would have that
// punctuation drawn on the wrong side; isolating each text with its own direction fixes it.
export function DirectionalPreview(props: PreviewProps) {
  return props.renderDefault({...props, title: isolate(props.title), subtitle: isolate(props.subtitle)})
}

function isolate(text: PreviewProps['title']): PreviewProps['title'] {
  if (typeof text !== 'string') return text
  const dir = directionOfText(text)
  return (<bdi dir={dir}>{text}</bdi>) satisfies ReactNode
}
