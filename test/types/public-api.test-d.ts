// Compile-only checks of the public types: `npm run typecheck` fails if one of these breaks.
import express from 'express'
import type { KeyObject } from 'node:crypto'
import {
  authcode,
  InvalidGrantError,
  jwtAccessTokenIssuer,
  MemoryStore,
  type AccessTokenClaims,
  type AuthcodeHealth,
  type ApprovalStatus,
  type AuthcodeRouter,
  type Grant,
  type LandingPage,
  type LandingPageName,
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

// The magic-link landing page: mounted at the path of magicLinkUrl; pages typed by name.
express().use(
  '/login/magic',
  auth.magicLinkLanding({
    signIn: async (grant: Grant, _req, res) => {
      res.redirect(303, `/welcome/${grant.subject}`)
    },
    renderPage: (page: LandingPage, _req, res) => {
      const name: LandingPageName = page.name
      if (page.name === 'confirm') {
        const action: string = page.form.action
        const fields: string[] = Object.entries(page.form.fields).map(([field, value]) => `${field}=${value}`)
        res.send(`${name} ${action} ${fields.join()}`)
      } else if (page.name === 'approve') {
        // The number is typed into an input named `number`, beside the hidden fields; none once cancelled.
        const code: string | undefined = page.cancelled ? undefined : page.form.fields.code
        res.send(String(code))
      } else if (page.name === 'wait') {
        // Only the browser that asked gets the number, the status to poll and the completion form.
        const status: ApprovalStatus | undefined = page.wait?.status
        const pending: string | undefined = page.form?.fields.pending
        res.send(`${page.wait?.number} ${page.wait?.statusUrl} ${status} ${pending}`)
      } else {
        const none: undefined = page.form
        res.send(String(none))
      }
    },
    crossDevice: true,
  }),
)
// @ts-expect-error: signIn is required
auth.magicLinkLanding({ renderPage: () => undefined })
express().post('/login/magic/send', (req, res) => {
  const challenge: string = auth.bindBrowser(req, res)
  const verifier: string | undefined = auth.browserVerifier(req)
  res.json({ challenge, verifier: verifier !== undefined })
})

// The resource-server side: the issuer is an issueTokens; the guard is Express middleware.
declare const signingKey: KeyObject
const signed = authcode({
  store: new MemoryStore(),
  issuer: 'https://id.example.com/auth',
  clients: [{ id: 'web' }],
  issueTokens: jwtAccessTokenIssuer({ privateKey: signingKey, ttl: 600 }),
})
const kid: string | undefined = signed.jwks?.keys[0]?.kid
void kid
const mcp = signed.protectedResource({ resource: 'https://id.example.com/mcp', scopes: ['mcp:tools'] })
express()
  .use(mcp)
  .post('/mcp', mcp.requireBearer(['mcp:tools']), (_req, res) => {
    const claims: AccessTokenClaims | undefined = mcp.authInfo(res)?.extra.claims
    res.json({ sub: claims?.sub, metadata: mcp.metadataUrl })
  })
// @ts-expect-error: resource is required
signed.protectedResource({ scopes: ['mcp:tools'] })
