import type { CodeStore } from '../../types/store.js'
import type { AtRest } from './at-rest.js'
import type { Telemetry } from '../telemetry/telemetry.js'
import type { EventBus } from './events.js'

/** What the code engine works with: where codes are kept, how they are kept unreadable, and who hears of what they do. */
export interface Engine {
  readonly store: CodeStore
  readonly events: EventBus
  readonly atRest: AtRest
  /** Counts what happens to codes (SPEC §9); absent, nothing is counted. */
  readonly telemetry?: Telemetry
}
