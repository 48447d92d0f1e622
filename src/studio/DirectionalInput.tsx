import type {InputProps} from 'sanity'
import {useFormValue} from 'sanity'
import {directionOfLanguage, directionOfText} from '../content/rules'

// Sanity Studio has no right-to-left support of its own (sanity-io/sanity#2613); this wrapper sets
// dir and lang on every text input from the document's language, falling back to the text itself.
export function DirectionalInput(props: InputProps) {
  const language = useFormValue(['language'])
  if (!holdsText(props)) return props.renderDefault(props)
  const lang = typeof language === 'string' && language ? language : undefined
  const fromLanguage = directionOfLanguage(lang)
  const dir =
    fromLanguage !== 'auto' ? fromLanguage : directionOfText(typeof props.value === 'string' ? props.value : undefined)
  return (
    <div dir={dir} lang={lang}>
      {props.renderDefault(props)}
    </div>
  )
}

function holdsText(props: InputProps): boolean {
  const type = props.schemaType
  if (type.jsonType === 'string') {
    // Fixed lists (language, kind) and addresses are not prose.
    const options = type.options as {list?: unknown} | undefined
    return !options?.list && !isOfType(type, 'url') && !isOfType(type, 'datetime')
  }
  if (type.jsonType === 'array') return type.of.some((member) => isOfType(member, 'block'))
  return false
}

function isOfType(type: {name: string; type?: unknown}, name: string): boolean {
  for (let t: {name: string; type?: unknown} | undefined = type; t; t = t.type as typeof t) {
    if (t.name === name) return true
  }
  return false
}
