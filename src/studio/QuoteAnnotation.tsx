import {useEffect, useMemo, useState} from 'react'
import {useClient, type BlockAnnotationProps} from 'sanity'
import {quoteAnnotationTitle} from './workflow'

interface QuoteSummary {
  speaker: string | null
  text: string | null
}

const SUMMARY = `*[_id in [$id, "drafts." + $id]] | order(_updatedAt desc)[0]{text, "speaker": speaker->name}`

// The annotation popover shows the annotation type's title; put the quote's speaker and first words there.
export function QuoteAnnotation(props: BlockAnnotationProps) {
  const client = useClient({apiVersion: '2025-02-19'})
  const id = (props.value as {quote?: {_ref?: string}} | undefined)?.quote?._ref
  const [summary, setSummary] = useState<QuoteSummary | null>(null)
  useEffect(() => {
    if (!id) return setSummary(null)
    let live = true
    client
      .fetch<QuoteSummary | null>(SUMMARY, {id}, {perspective: 'raw'})
      .then((found) => live && setSummary(found))
      .catch(() => live && setSummary(null)) // the popover then falls back to the plain title
    return () => {
      live = false
    }
  }, [client, id])
  const schemaType = useMemo(
    () => (id && summary ? {...props.schemaType, title: quoteAnnotationTitle(summary)} : props.schemaType),
    [id, summary, props.schemaType],
  )
  return props.renderDefault({...props, schemaType})
}
