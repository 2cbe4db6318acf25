export type * from './grant.js'
export type * from './store.js'
export type * from './events.js'
export type * from './options.js'
