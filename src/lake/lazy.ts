import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)

/**
 * A package loaded on first use instead of at start-up: image processing (sharp), the presence
 * WebSocket server (ws) and the patch engine (@sanity/mutator) are a third of an empty lake's heap
 * and boot, and a lake that is only queried never needs them.
 */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= require(name) as T)
}
