import type {Template} from 'sanity'

export const QUOTE_BY_SPEAKER = 'quote-by-speaker'

/** A quote whose speaker is already chosen: "+" in one speaker's list of quotes. */
export const quoteBySpeaker: Template<{speakerId: string}> = {
  id: QUOTE_BY_SPEAKER,
  title: 'Quote by this speaker',
  schemaType: 'quote',
  parameters: [{name: 'speakerId', title: 'Speaker', type: 'string'}],
  value: ({speakerId}: {speakerId: string}) => ({
    language: 'ar',
    kind: 'direct',
    speaker: {_type: 'reference', _ref: speakerId},
  }),
}

/** The templates the Studio offers: Sanity's one per type, plus the speaker's quote, offered only in context. */
export function templates(previous: Template[]): Template[] {
  return [...previous, quoteBySpeaker as Template]
}
