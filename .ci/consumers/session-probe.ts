// The opt-in session typing: `express-authcode/express-session` resolves and adds `userId` to
// express-session's SessionData. Compiled apart from main.ts, with express-session-stub.d.ts
// standing in for @types/express-session, which the consumer projects never install.
import type { SessionData } from 'express-authcode/express-session'

const data: SessionData = { cookie: { maxAge: 60_000 }, userId: 'user-42' }
export const userId: string | undefined = data.userId
