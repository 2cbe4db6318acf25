import type { AuthcodeLogger } from '../../types/options.js'
import type { ClientDirectory } from '../clients/directory.js'
import type { Engine } from '../engine/engine.js'
import type { ResolvedOptions } from './resolve.js'

/**
 * What every endpoint is built from, made once by `authcode()`: the resolved options, the code
 * engine (with the store, traced, and the telemetry), the client directory and the host's logger.
 */
export interface AuthcodeContext {
  readonly options: ResolvedOptions
  readonly engine: Engine
  /** Who a `client_id` names: configured clients, and those that arrive by registration or by URL. */
  readonly clients: ClientDirectory
  /** The `logger` option, or `console`. */
  readonly logger: AuthcodeLogger
}
