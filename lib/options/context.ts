import type { Engine } from '../engine/engine.js'
import type { ResolvedOptions } from './resolve.js'

/** What every endpoint is built from: the resolved options and the code engine. */
export interface AuthcodeContext {
  readonly options: ResolvedOptions
  readonly engine: Engine
}
