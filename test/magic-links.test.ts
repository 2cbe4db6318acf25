import { expect } from 'chai'
import { randomUUID } from 'node:crypto'
import { InvalidGrantError } from '../lib/index.js'
import { s256 } from '../lib/engine/pkce.js'
import type { AuthcodeEvent, AuthcodeOptions, Grant } from '../types/index.js'
import { buildApp, VERIFIER } from './helpers/app.js'
import { codesOptions, OTHER_SERVICE_TOKEN, postCodes } from './helpers/codes.js'
import { slugOf } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

const refused = (pending: Promise<unknown>) =>
  pending.then(
    () => expect.fail('it was redeemed'),
    (err: unknown) => {
      expect(err).to.be.instanceOf(InvalidGrantError)
      return err as InvalidGrantError
    },
  )

describe('magic links: binding, passcodes, revocation', () => {
  const redis = useTestRedis()
  const app = (overrides: Partial<AuthcodeOptions> = {}) => {
    const built = buildApp(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, ...overrides }))
    const issued: AuthcodeEvent<'authorization.CodeIssued'>[] = []
    built.auth.on('authorization.CodeIssued', (event) => void issued.push(event))
    return { ...built, issued }
  }

  describe('same-browser binding (code_challenge)', () => {
    const challenge = s256(VERIFIER)

    it('redeems a bound code only with its verifier', async () => {
      const { app: host, auth } = app()
      const res = await postCodes(host, { external_user_id: 'u1', code_challenge: challenge, code_challenge_method: 'S256' })
      expect(res.status, res.text).to.equal(201)
      const grant = await auth.redeem(res.body.code, { kind: 'magic_link', codeVerifier: VERIFIER })
      expect(grant.subject).to.equal('u1')
    })

    it('burns a bound code presented without its verifier, or with another', async () => {
      const { app: host, auth } = app()
      for (const presented of [undefined, `${VERIFIER}-other`]) {
        const res = await postCodes(host, { external_user_id: 'u1', code_challenge: challenge, code_challenge_method: 'S256' })
        const expectation =
          presented === undefined ? { kind: 'magic_link' as const } : { kind: 'magic_link' as const, codeVerifier: presented }
        await refused(auth.redeem(res.body.code, expectation))
        await refused(auth.redeem(res.body.code, { kind: 'magic_link', codeVerifier: VERIFIER }))
      }
    })

    for (const [what, body] of [
      ['a challenge without its method', { code_challenge: challenge }],
      ['the plain method', { code_challenge: challenge, code_challenge_method: 'plain' }],
      ['a challenge of 44 characters', { code_challenge: `${challenge}A`, code_challenge_method: 'S256' }],
    ] as const) {
      it(`answers 400 validation-error for ${what}`, async () => {
        const res = await postCodes(app().app, { external_user_id: 'u1', ...body })
        expect(res.status).to.equal(400)
        expect(slugOf(res.body)).to.equal('validation-error')
      })
    }
  })

  describe('one-time passcodes (otp: true)', () => {
    it('answers a passcode of 6 digits, in every replay too, and hands it to CodeIssued', async () => {
      const { app: host, issued } = app()
      const key = randomUUID()
      const first = await postCodes(host, { external_user_id: 'u1', otp: true }, { 'idempotency-key': key })
      expect(first.status, first.text).to.equal(201)
      expect(first.body.otp).to.match(/^\d{6}$/)
      const replay = await postCodes(host, { external_user_id: 'u1', otp: true }, { 'idempotency-key': key })
      expect(replay.headers['idempotent-replayed']).to.equal('true')
      expect(replay.body).to.deep.equal(first.body)
      expect(issued.map((e) => e.data.otp)).to.deep.equal([first.body.otp])
    })

    it('takes otp.length digits', async () => {
      const res = await postCodes(app({ otp: { length: 8 } }).app, { external_user_id: 'u1', otp: true })
      expect(res.body.otp).to.match(/^\d{8}$/)
    })

    it('redeems the passcode once, consuming the link with it', async () => {
      const { app: host, auth } = app()
      const res = await postCodes(host, { external_user_id: 'u1', otp: true, integration_context: { a: 1 } })
      const grant: Grant = await auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp })
      expect(grant).to.include({ kind: 'magic_link', subject: 'u1', clientId: 'crm' })
      expect(grant.integrationContext).to.deep.equal({ a: 1 })
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp }))
      await refused(auth.redeem(res.body.code, { kind: 'magic_link' }))
    })

    it('lets the passcode go when the link is redeemed', async () => {
      const { app: host, auth } = app()
      const res = await postCodes(host, { external_user_id: 'u1', otp: true })
      await auth.redeem(res.body.code, { kind: 'magic_link' })
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp }))
    })

    it('counts wrong passcodes and burns the grant at otp.maxAttempts, link and all', async () => {
      const { app: host, auth } = app({ otp: { maxAttempts: 3 } })
      const res = await postCodes(host, { external_user_id: 'u1', otp: true })
      const wrong = res.body.otp === '000000' ? '000001' : '000000'
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: wrong }))
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: wrong }))
      expect((await auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp })).subject, 'right after 2 wrong of 3').to.equal(
        'u1',
      )
      const again = await postCodes(host, { external_user_id: 'u1', otp: true })
      const wrongAgain = again.body.otp === '000000' ? '000001' : '000000'
      for (let i = 0; i < 3; i++) await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: wrongAgain }))
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: again.body.otp }))
      await refused(auth.redeem(again.body.code, { kind: 'magic_link' }))
    })

    it('keeps one live passcode per client and user: a new one replaces the old, whose link still works', async () => {
      const { app: host, auth } = app()
      const first = await postCodes(host, { external_user_id: 'u1', otp: true })
      const second = await postCodes(host, { external_user_id: 'u1', otp: true })
      if (first.body.otp !== second.body.otp) await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: first.body.otp }))
      expect((await auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: second.body.otp })).subject).to.equal('u1')
      expect((await auth.redeem(first.body.code, { kind: 'magic_link' })).subject).to.equal('u1')
    })

    it('finds no passcode for another client or user', async () => {
      const { app: host, auth } = app()
      const res = await postCodes(host, { external_user_id: 'u1', otp: true })
      await refused(auth.redeemOtp({ clientId: 'web', subject: 'u1', otp: res.body.otp }))
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u2', otp: res.body.otp }))
      expect((await auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp })).subject).to.equal('u1')
    })

    it('asks a bound grant for its verifier with the passcode too', async () => {
      const { app: host, auth } = app()
      const bound = { code_challenge: s256(VERIFIER), code_challenge_method: 'S256' }
      const res = await postCodes(host, { external_user_id: 'u1', otp: true, ...bound })
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: res.body.otp }))
      const again = await postCodes(host, { external_user_id: 'u1', otp: true, ...bound })
      expect((await auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: again.body.otp, codeVerifier: VERIFIER })).subject).to.equal('u1')
    })

    it('refuses otp: true with 400 when passcodes are turned off', async () => {
      const res = await postCodes(app({ otp: false }).app, { external_user_id: 'u1', otp: true })
      expect(res.status).to.equal(400)
      expect(res.body.errors[0].pointer).to.equal('#/otp')
    })
  })

  describe('auth.revokeCodes()', () => {
    it('deletes every live link and passcode of a user, of one client or of all, and says how many', async () => {
      const { app: host, auth } = app()
      const revoked: AuthcodeEvent<'authorization.CodesRevoked'>[] = []
      auth.on('authorization.CodesRevoked', (event) => void revoked.push(event))
      const crm1 = await postCodes(host, { external_user_id: 'u1', otp: true })
      const crm2 = await postCodes(host, { external_user_id: 'u1' })
      const web = await postCodes(host, { external_user_id: 'u1' }, { authorization: `Bearer ${OTHER_SERVICE_TOKEN}` })
      const other = await postCodes(host, { external_user_id: 'u2' })
      expect(await auth.revokeCodes({ clientId: 'crm', subject: 'u1' })).to.equal(2)
      await refused(auth.redeem(crm1.body.code, { kind: 'magic_link' }))
      await refused(auth.redeem(crm2.body.code, { kind: 'magic_link' }))
      await refused(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp: crm1.body.otp }))
      expect((await auth.redeem(other.body.code, { kind: 'magic_link' })).subject).to.equal('u2')
      expect(await auth.revokeCodes({ subject: 'u1' })).to.equal(1)
      await refused(auth.redeem(web.body.code, { kind: 'magic_link' }))
      expect(revoked.map((e) => e.data)).to.deep.equal([
        { subject: 'u1', clientId: 'crm', count: 2 },
        { subject: 'u1', count: 1 },
      ])
    })

    it('keeps the reuse marker of a code redeemed before, so its reuse is still detected', async () => {
      const { app: host, auth } = app()
      const reused: string[] = []
      auth.on('authorization.CodeReuseDetected', (event) => void reused.push(event.data.subject))
      const res = await postCodes(host, { external_user_id: 'u1' })
      await auth.redeem(res.body.code, { kind: 'magic_link' })
      expect(await auth.revokeCodes({ subject: 'u1' })).to.equal(0)
      await refused(auth.redeem(res.body.code, { kind: 'magic_link' }))
      expect(reused).to.deep.equal(['u1'])
    })
  })
})
