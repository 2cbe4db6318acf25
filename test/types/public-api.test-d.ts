// Compile-only checks of the public types: `npm run typecheck` fails if one of these breaks.
import express from 'express'
import {
  authcode,
  InvalidGrantError,
  MemoryStore,
  type AuthcodeHealth,
  type AuthcodeRouter,
  type Grant,
  type OAuthErrorCode,
} from '../../lib/index.js'

const auth: AuthcodeRouter = authcode({ store: new MemoryStore(), issuer: 'https://id.example.com/auth', clients: [{ id: 'web' }] })
express().use('/auth', auth)

auth.on('authorization.CodeIssued', (event) => {
  const code: string = event.data.code
  const link: string | undefined = event.data.magicLink
  void code
  void link
})
auth.on('authorization.CodeReuseDetected', ({ data }) => {
  const grant: Grant = data
  void grant
})
// @ts-expect-error: not an event type
auth.on('authorization.Unknown', () => undefined)

const pending: Promise<Grant> = auth.redeem('code', { kind: ['magic_link', 'capture'], clientId: 'web', redirectUri: null })
void pending
// @ts-expect-error: kind is one of the three code kinds
void auth.redeem('code', { kind: 'password' })

void auth.health().then((health: AuthcodeHealth) => {
  const policy: string | undefined = health.store.evictionPolicy
  const latency: number = health.store.latencyMs
  void policy
  void latency
})

const err = new InvalidGrantError()
const code: OAuthErrorCode = err.code
void code

// @ts-expect-error: issuer is required
authcode({ store: new MemoryStore(), clients: [] })
