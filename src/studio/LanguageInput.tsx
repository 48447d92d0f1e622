import {Select} from '@sanity/ui'
import type {ChangeEvent} from 'react'
import {set, unset, type StringInputProps} from 'sanity'
import {LANGUAGE_CHOICES} from './languages'

// A list of the newsroom's languages rather than a free-text code box. Not options.list: the stored value
// stays any BCP 47 code (an imported "en-GB" is kept and shown), and schema.json keeps it a plain string.
export function LanguageInput(props: StringInputProps) {
  const {value, onChange, readOnly, elementProps} = props
  const known = LANGUAGE_CHOICES.some((choice) => choice.value === value)
  return (
    <Select
      id={elementProps.id}
      ref={elementProps.ref as never}
      onFocus={elementProps.onFocus}
      onBlur={elementProps.onBlur}
      readOnly={readOnly}
      disabled={readOnly}
      value={value ?? ''}
      onChange={(event: ChangeEvent<HTMLSelectElement>) =>
        onChange(event.currentTarget.value ? set(event.currentTarget.value) : unset())
      }
    >
      {!value && <option value="">—</option>}
      {value && !known && <option value={value}>{value}</option>}
      {LANGUAGE_CHOICES.map((choice) => (
        <option key={choice.value} value={choice.value} lang={choice.value}>
          {choice.title}
        </option>
      ))}
    </Select>
  )
}
