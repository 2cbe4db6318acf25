/** A person who can sign in to the example app. */
export interface DemoUser {
  id: string
  name: string
  email: string
}

/** The app's user directory: a fixed list, so the demo needs no database. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'user-ada', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'user-grace', name: 'Grace Hopper', email: 'grace@example.com' },
  { id: 'user-alan', name: 'Alan Turing', email: 'alan@example.com' },
]

/** The user with this id, if any. */
export function userById(id: unknown): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.id === id)
}

/** The user with this e-mail address (case-insensitive), if any. */
export function userByEmail(email: unknown): DemoUser | undefined {
  return typeof email === 'string' ? DEMO_USERS.find((u) => u.email === email.trim().toLowerCase()) : undefined
}
