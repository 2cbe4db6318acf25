// The least of @types/express-session that the session typing builds on.
declare module 'express-session' {
  interface SessionData {
    cookie: { maxAge?: number }
  }
}
