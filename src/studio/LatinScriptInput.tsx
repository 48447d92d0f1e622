import type {StringInputProps} from 'sanity'

/** Latin-script values (transliterated names, language codes) read left to right even inside an Arabic document. */
export function LatinScriptInput(props: StringInputProps) {
  return (
    <div dir="ltr" lang="und-Latn">
      {props.renderDefault(props)}
    </div>
  )
}
