import {article} from './documents/article'
import {organization} from './documents/organization'
import {person} from './documents/person'
import {quote} from './documents/quote'
import {blockContent} from './objects/blockContent'

export const schemaTypes = [article, person, quote, organization, blockContent]
