/**
 * Errors that become HTTP responses. Sanity uses two body shapes and @sanity/client
 * formats both: data-API errors `{error: {description, type, ...}}` and gateway/auth
 * errors `{statusCode, error, message}`.
 */
export class LakeError extends Error {
  readonly status: number
  readonly body: Record<string, unknown>
  /** Extra response headers, e.g. Retry-After on a 429. */
  readonly headers: Record<string, string> = {}

  constructor(status: number, body: Record<string, unknown>, message: string) {
    super(message)
    this.status = status
    this.body = body
  }
}

/** `{error: {description, type}}`, the shape of query, mutation and request errors. */
export function apiError(status: number, type: string, description: string, extra: Record<string, unknown> = {}): LakeError {
  return new LakeError(status, {error: {description, type, ...extra}}, description)
}

export function badRequest(description: string): LakeError {
  return apiError(400, 'httpBadRequest', description)
}

export interface MutationErrorItem {
  index: number
  status: number
  type: string
  description: string
  id?: string
  extra?: Record<string, unknown>
}

/**
 * One failed mutation fails the whole transaction; Sanity reports it as a
 * `mutationError` whose `items` name the offending mutation by index.
 */
export function mutationError(item: MutationErrorItem, noun: 'Mutation' | 'Action' = 'Mutation'): LakeError {
  const inner: Record<string, unknown> = {description: item.description, type: item.type}
  if (item.id !== undefined) inner.id = item.id
  Object.assign(inner, item.extra)
  return new LakeError(
    item.status,
    {
      error: {
        description: `${noun}(s) failed with 1 error(s)`,
        type: noun === 'Mutation' ? 'mutationError' : 'actionError',
        items: [{error: inner, index: item.index}],
      },
    },
    item.description,
  )
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
}

/** `{statusCode, error, message}`, the shape of Sanity's gateway errors (auth, routing, size). */
export function gatewayError(status: number, message: string): LakeError {
  return new LakeError(status, {statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message}, message)
}
