import { MemoryStore } from './memory-store.js'
import { isRedisConnection } from './redis-commands.js'
import { isCodeStore, STORE_METHODS } from './store-methods.js'

/**
 * How option values are told apart as stores, for `authcode()` to hand to the option checks,
 * which know no store: a node-redis connection, a code store (and the methods it needs), and a
 * store that keeps what it holds in this process only (`MemoryStore`, which needs no `atRestKey`).
 */
export const STORE_SHAPES = {
  isRedisConnection,
  isCodeStore,
  storeMethods: STORE_METHODS,
  keepsToProcess: (store: unknown): boolean => store instanceof MemoryStore,
} as const
