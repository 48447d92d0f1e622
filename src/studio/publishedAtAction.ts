import {useCallback} from 'react'
import {useDocumentOperation, type DocumentActionComponent, type DocumentActionsResolver} from 'sanity'
import {publishedAtPatch} from './workflow'

/** Sanity's Publish, which first sets publishedAt when the article has none (editors may change it later). */
function withPublishedAt(publish: DocumentActionComponent): DocumentActionComponent {
  const PublishWithDate: DocumentActionComponent = (props) => {
    const original = publish(props)
    const {patch} = useDocumentOperation(props.id, props.type)
    const current = (props.draft ?? props.published)?.publishedAt
    const onHandle = useCallback(() => {
      const change = publishedAtPatch(current, new Date())
      if (change) patch.execute([change])
      original?.onHandle?.()
    }, [current, patch, original])
    return original ? {...original, onHandle} : original
  }
  PublishWithDate.action = publish.action
  PublishWithDate.displayName = 'PublishWithDate'
  return PublishWithDate
}

export const documentActions: DocumentActionsResolver = (previous, context) =>
  context.schemaType === 'article'
    ? previous.map((action) => (action.action === 'publish' ? withPublishedAt(action) : action))
    : previous
