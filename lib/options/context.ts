import type { AuthcodeLogger } from '../../types/options.js'
import type { Engine } from '../engine/engine.js'
import type { ResolvedOptions } from './resolve.js'

/**
 * What every endpoint is built from, made once by `authcode()`: the resolved options, the code
 * engine (with the store, traced, and the telemetry) and the host's logger.
 */
export interface AuthcodeContext {
  readonly options: ResolvedOptions
  readonly engine: Engine
  /** The `logger` option, or `console`. */
  readonly logger: AuthcodeLogger
}
