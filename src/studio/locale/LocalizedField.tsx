import {useCurrentLocale, type FieldProps} from 'sanity'
import {AR_LOCALE_ID} from './ar'
import {arabicDescriptions, arabicTitles, translateSchemaText} from './fields'

// Sanity translates its own strings but not a schema's titles; in the Arabic interface, fields take theirs from ./fields.
export function LocalizedField(props: FieldProps) {
  const locale = useCurrentLocale()
  if (locale.id !== AR_LOCALE_ID) return props.renderDefault(props)
  return props.renderDefault({
    ...props,
    title: rtl(props.title, arabicTitles),
    description: rtl(props.description, arabicDescriptions),
  } as FieldProps)
}

// Titles are plain strings in a left-to-right box: an Arabic one is isolated right to left (RLI … PDI),
// or its final full stop is drawn at its start.
function rtl(text: string | undefined, table: Record<string, string>): string | undefined {
  if (typeof text !== 'string') return text
  const arabic = translateSchemaText(text, table)
  return arabic === text ? text : `\u2067${arabic}\u2069`
}
