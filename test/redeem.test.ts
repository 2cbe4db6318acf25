import { expect } from 'chai'
import { EventHandlerFailedError, InvalidGrantError, MemoryStore, type AuthcodeRouter } from '../lib/index.js'
import type { AuthcodeEvent, RedeemExpectation } from '../types/index.js'
import { baseOptions, buildApp, issue, VERIFIER, WEB_REDIRECT } from './helpers/app.js'

describe('auth.redeem()', () => {
  let auth: AuthcodeRouter
  let store: MemoryStore
  const magic = () =>
    issue(auth, {
      kind: 'magic_link',
      clientId: 'crm',
      redirectUri: undefined,
      codeChallenge: undefined,
      scope: undefined,
      integrationContext: { campaign: 'spring' },
    })

  beforeEach(() => {
    store = new MemoryStore()
    ;({ auth } = buildApp(baseOptions({ store })))
  })
  afterEach(() => store.close())

  it('resolves the grant of a magic-link code', async () => {
    const before = Date.now()
    const grant = await auth.redeem(await magic(), { kind: 'magic_link' })
    expect(grant).to.include({ kind: 'magic_link', subject: 'user-42', clientId: 'crm' })
    expect(grant.integrationContext).to.deep.equal({ campaign: 'spring' })
    expect(grant.issuedAt).to.be.instanceOf(Date)
    expect(grant.expiresAt.getTime() - grant.issuedAt.getTime()).to.equal(60_000)
    expect(grant.issuedAt.getTime()).to.be.at.least(before - 5)
    expect(grant).not.to.have.property('codeChallenge')
  })

  it('rejects with InvalidGrantError when the code was already used, firing CodeReuseDetected with the original grant', async () => {
    const reused: AuthcodeEvent[] = []
    auth.on('authorization.CodeReuseDetected', (event) => {
      reused.push(event)
    })
    const code = await magic()
    const grant = await auth.redeem(code, { kind: 'magic_link' })
    const err = await auth.redeem(code, { kind: 'magic_link' }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(InvalidGrantError)
    expect((err as InvalidGrantError).code).to.equal('invalid_grant')
    expect(reused).to.have.length(1)
    expect(reused[0]?.data).to.deep.equal(grant)
    expect(reused[0]?.id).to.match(/^[0-9a-f-]{36}$/)
  })

  it('detects reuse when the second presentation races the first', async () => {
    const reused: AuthcodeEvent[] = []
    auth.on('authorization.CodeReuseDetected', (event) => {
      reused.push(event)
    })
    const code = await magic()
    const results = await Promise.allSettled([auth.redeem(code, { kind: 'magic_link' }), auth.redeem(code, { kind: 'magic_link' })])
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1)
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof InvalidGrantError)).to.have.length(1)
    expect(reused).to.have.length(1)
  })

  const mismatches: Array<[string, RedeemExpectation]> = [
    ['kind', { kind: 'authorize' }],
    ['client', { kind: 'capture', clientId: 'web' }],
    ['redirect URI', { kind: 'capture', redirectUri: WEB_REDIRECT }],
    ['verifier', { kind: 'capture', codeVerifier: VERIFIER }],
  ]
  for (const [what, expectation] of mismatches) {
    it(`rejects and burns the code when the ${what} does not match`, async () => {
      const code = await issue(auth, {
        kind: 'capture',
        clientId: 'crm',
        redirectUri: 'https://crm.example.com/oauth',
        codeChallenge: undefined,
      })
      await auth.redeem(code, expectation).then(
        () => expect.fail('resolved'),
        (err: unknown) => expect(err).to.be.instanceOf(InvalidGrantError),
      )
      await auth.redeem(code, { kind: 'capture' }).then(
        () => expect.fail('resolved'),
        (err: unknown) => expect(err).to.be.instanceOf(InvalidGrantError),
      )
    })
  }

  it('requires the verifier of a PKCE code even when the caller does not ask for one', async () => {
    const err = await auth.redeem(await issue(auth), { kind: 'authorize' }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(InvalidGrantError)
  })

  it('throws a TypeError, consuming nothing, when the caller does not say which kind of code it accepts', async () => {
    const code = await magic()
    for (const expectation of [undefined, {}, { kind: [] }, { kind: 'any' }]) {
      const err = await auth.redeem(code, expectation as never).catch((e: unknown) => e)
      expect(err).to.be.instanceOf(TypeError)
      expect((err as Error).message).to.match(/expect\.kind is required/)
    }
    expect((await auth.redeem(code, { kind: 'magic_link' })).subject).to.equal('user-42')
  })

  it('rejects with InvalidGrantError for a value that is not a code', async () => {
    for (const value of ['', 'short', 'A'.repeat(44), '\u0000'.repeat(43)]) {
      expect(await auth.redeem(value, { kind: 'magic_link' }).catch((e: unknown) => e)).to.be.instanceOf(InvalidGrantError)
    }
  })
})

describe('events', () => {
  let store: MemoryStore
  beforeEach(() => {
    store = new MemoryStore()
  })
  afterEach(() => store.close())

  it('awaits handlers one after another, in the order they were added', async () => {
    const { auth } = buildApp(baseOptions({ store }))
    const order: string[] = []
    auth
      .on('authorization.CodeIssued', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        order.push('slow first')
      })
      .on('authorization.CodeIssued', () => {
        order.push('second')
      })
    await issue(auth)
    expect(order).to.deep.equal(['slow first', 'second'])
  })

  it('hands CodeIssued the code itself, its kind, subject, client and expiry', async () => {
    const { auth } = buildApp(baseOptions({ store }))
    const seen: AuthcodeEvent<'authorization.CodeIssued'>[] = []
    auth.on('authorization.CodeIssued', (event) => {
      seen.push(event)
    })
    const code = await issue(auth)
    expect(seen[0]?.data).to.include({ code, kind: 'authorize', subject: 'user-42', clientId: 'web' })
    expect(seen[0]?.data.expiresAt).to.be.instanceOf(Date)
    expect(seen[0]?.occurredAt).to.be.instanceOf(Date)
  })

  it('deletes the code and fails with event-handler-failed when a CodeIssued handler throws', async () => {
    const { auth } = buildApp(baseOptions({ store }))
    let issued = ''
    auth.on('authorization.CodeIssued', (event) => {
      issued = event.data.code
      throw new Error('mail server down')
    })
    const err = await issue(auth).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(EventHandlerFailedError)
    expect((err as EventHandlerFailedError).slug).to.equal('event-handler-failed')
    expect(store.size).to.equal(0)
    expect(await auth.redeem(issued, { kind: 'authorize', codeVerifier: VERIFIER }).catch((e: unknown) => e)).to.be.instanceOf(
      InvalidGrantError,
    )
  })
})
