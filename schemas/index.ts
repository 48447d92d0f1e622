import {article} from './documents/article'
import {organization} from './documents/organization'
import {person} from './documents/person'
import {quote} from './documents/quote'
import {section} from './documents/section'
import {blockContent} from './objects/blockContent'

export const schemaTypes = [article, person, quote, organization, section, blockContent]
