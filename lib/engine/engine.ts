import type { CodeStore } from '../../types/store.js'
import type { EventBus } from './events.js'

/** What the code engine works with: where codes are kept, and who hears of what they do. */
export interface Engine {
  readonly store: CodeStore
  readonly events: EventBus
}
