import { randomUUID } from 'node:crypto'
import type { AuthcodeEvent, AuthcodeEventHandler, AuthcodeEventMap, AuthcodeEventType } from '../../types/events.js'

/** Subscribers per event type; handlers run one after another and are awaited. */
export class EventBus {
  readonly #handlers = new Map<AuthcodeEventType, AuthcodeEventHandler[]>()

  on<T extends AuthcodeEventType>(type: T, handler: AuthcodeEventHandler<T>): void {
    const list = this.#handlers.get(type) ?? []
    list.push(handler as AuthcodeEventHandler)
    this.#handlers.set(type, list)
  }

  /** Runs every handler of `type` in order; the first one that throws stops the rest and rejects. */
  async emit<T extends AuthcodeEventType>(type: T, data: AuthcodeEventMap[T]): Promise<void> {
    const list = this.#handlers.get(type)
    if (!list) return
    const event: AuthcodeEvent<T> = { type, id: randomUUID(), occurredAt: new Date(), data }
    for (const handler of list) await handler(event as AuthcodeEvent)
  }
}
