import type { EventBus } from './events.js'
import type { ResolvedOptions } from './options.js'

/** What every handler and core function works with: the resolved options and the event bus. */
export interface AuthcodeContext {
  readonly options: ResolvedOptions
  readonly events: EventBus
}

/** Where the router keeps its context, for the library's own white-box tests; not exported by the package. */
export const kContext = Symbol('authcode.context')
