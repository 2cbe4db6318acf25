import { expect } from 'chai'
import { InvalidGrantError, StoreUnavailableError, type AuthcodeRouter } from '../lib/index.js'
import { PASSCODE_REFUSED } from '../lib/engine/redeem-passcode.js'
import { s256 } from '../lib/engine/pkce.js'
import type { AuthcodeOptions } from '../types/index.js'
import { buildApp, VERIFIER } from './helpers/app.js'
import { sleep } from './helpers/clock.js'
import { codesOptions, postCodes } from './helpers/codes.js'
import { useTestRedis } from './helpers/redis.js'
import { clientCommandsDuring } from './helpers/redis-stats.js'
import { byAttributes, registerTestSdk } from './helpers/otel.js'

/** How `auth.redeemOtp()` answered: the grant's subject, or the description it was refused with. */
const outcome = (pending: Promise<{ subject: string }>) =>
  pending.then(
    (grant) => `granted ${grant.subject}`,
    (err: unknown) => {
      if (err instanceof InvalidGrantError) return `refused: ${err.description}`
      throw err
    },
  )
const REFUSED = `refused: ${PASSCODE_REFUSED}`
const BOUND = { code_challenge: s256(VERIFIER), code_challenge_method: 'S256' }
const wrongFor = (otp: string) => (otp === '000000' ? '000001' : '000000')

describe('passcode guessing', () => {
  const redis = useTestRedis()
  const host = (otp: AuthcodeOptions['otp'] = {}) => buildApp(codesOptions({ redis: redis.client, keyPrefix: redis.prefix, otp }))
  const issued = async (app: ReturnType<typeof host>['app'], subject = 'u1', body: object = {}) => {
    const res = await postCodes(app, { external_user_id: subject, otp: true, ...body })
    expect(res.status, res.text).to.equal(201)
    return { code: res.body.code as string, otp: res.body.otp as string }
  }
  const present = (auth: AuthcodeRouter, otp: string, more: { subject?: string; codeVerifier?: string } = {}) =>
    outcome(auth.redeemOtp({ clientId: 'crm', subject: 'u1', otp, ...more }))

  describe('otp.maxFailuresPerWindow: wrong passcodes count per user across grants', () => {
    it('gives a new passcode no new guesses: past the budget the right passcode is refused, its link left working, until the window ends', async () => {
      const { app, auth } = host({ maxAttempts: 5, maxFailuresPerWindow: 6, windowSeconds: 2 })
      // Three grants, as an attacker asking again after each burn would get: 3 + 3 wrong guesses, then the budget is spent.
      for (let grant = 0; grant < 2; grant++) {
        const { otp } = await issued(app)
        for (let i = 0; i < 3; i++) expect(await present(auth, wrongFor(otp))).to.equal(REFUSED)
      }
      const third = await issued(app)
      expect(await present(auth, third.otp), 'the right passcode, past the budget').to.equal(REFUSED)
      expect(await present(auth, third.otp), 'asked again, still refused').to.equal(REFUSED)
      // Whoever spent the budget (an attacker asking for links to this address) cannot spend the user's link with it.
      expect(await outcome(auth.redeem(third.code, { kind: 'magic_link' })), 'its link left working').to.equal('granted u1')
      await sleep(2100)
      const fourth = await issued(app)
      expect(await present(auth, fourth.otp), 'once the window ended').to.equal('granted u1')
    })

    it('keeps the budgets of users apart', async () => {
      const { app, auth } = host({ maxFailuresPerWindow: 2 })
      const u1 = await issued(app, 'u1')
      const u2 = await issued(app, 'u2')
      for (let i = 0; i < 3; i++) await present(auth, wrongFor(u1.otp))
      expect(await present(auth, u2.otp, { subject: 'u2' })).to.equal('granted u2')
    })
  })

  describe('bound passcodes typed in another browser', () => {
    it('refuses them without counting or spending anything, so the browser that asked still signs in', async () => {
      // One wrong passcode would burn the grant and lock the user: nothing may be counted.
      const { app, auth } = host({ maxAttempts: 1, maxFailuresPerWindow: 1 })
      const { otp, code } = await issued(app, 'u1', BOUND)
      for (const codeVerifier of [undefined, `${VERIFIER}-other`]) {
        for (const guess of [otp, wrongFor(otp)]) {
          expect(await present(auth, guess, codeVerifier === undefined ? {} : { codeVerifier })).to.equal(REFUSED)
        }
      }
      expect(await present(auth, otp, { codeVerifier: VERIFIER })).to.equal('granted u1')
      expect(await outcome(auth.redeem(code, { kind: 'magic_link', codeVerifier: VERIFIER })), 'consumed with it').to.match(/^refused/)
    })
  })

  describe('answers that do not tell whether an address has an account', () => {
    /** A refusal of each kind, and a success, on one app: `[what, present it]`. */
    async function everyOutcome(): Promise<Array<[string, () => Promise<string>]>> {
      const { app, auth } = host({ maxAttempts: 2, maxFailuresPerWindow: 4 })
      const burning = await issued(app, 'burning')
      const wrong = await issued(app, 'wrong')
      const bound = await issued(app, 'bound', BOUND)
      const right = await issued(app, 'right')
      // The user `locking` spends its budget on two grants, then gets a third; `burning` keeps one try left.
      for (let grant = 0; grant < 2; grant++) {
        const { otp } = await issued(app, 'locking')
        for (let i = 0; i < 2; i++) await present(auth, wrongFor(otp), { subject: 'locking' })
      }
      const locked = await issued(app, 'locking')
      await present(auth, wrongFor(burning.otp), { subject: 'burning' })
      const spent = await issued(app, 'spent')
      await present(auth, spent.otp, { subject: 'spent' })
      return [
        ['unknown subject', () => present(auth, '123456', { subject: 'nobody' })],
        ['wrong', () => present(auth, wrongFor(wrong.otp), { subject: 'wrong' })],
        ['burned', () => present(auth, wrongFor(burning.otp), { subject: 'burning' })],
        ['locked', () => present(auth, locked.otp, { subject: 'locking' })],
        ['binding mismatch', () => present(auth, bound.otp, { subject: 'bound' })],
        ['spent', () => present(auth, spent.otp, { subject: 'spent' })],
        ['right', () => present(auth, right.otp, { subject: 'right' })],
      ]
    }

    it('refuses an unknown subject, a wrong, burned, locked, mismatched or spent passcode with the same description', async () => {
      const answers: Record<string, string> = {}
      for (const [what, run] of await everyOutcome()) answers[what] = await run()
      expect(answers).to.deep.equal({
        'unknown subject': REFUSED,
        wrong: REFUSED,
        burned: REFUSED,
        locked: REFUSED,
        'binding mismatch': REFUSED,
        spent: REFUSED,
        right: 'granted right',
      })
    })

    it('still counts each refusal under its own reason in authcode.codes.redeem_failed', async () => {
      const outcomes = await everyOutcome()
      const sdk = registerTestSdk()
      try {
        for (const [, run] of outcomes) await run()
        const failed = byAttributes((await sdk.metrics()).get('authcode.codes.redeem_failed')?.points)
        const magicLink = (reason: string) => `authcode.kind=magic_link,authcode.reason=${reason}`
        expect(failed).to.deep.equal({
          'authcode.reason=unknown': 2,
          [magicLink('otp_wrong')]: 1,
          [magicLink('otp_attempts')]: 1,
          [magicLink('otp_locked')]: 1,
          [magicLink('binding')]: 1,
        })
      } finally {
        await sdk.shutdown()
      }
    })

    it('refuses each after the same Redis round trips (2 scripts), and grants after 3', async () => {
      const outcomes = await everyOutcome()
      const sent: Record<string, string> = {}
      // Every script loaded first (a right passcode runs all three), so each is one EVALSHA.
      const warm = host()
      await present(warm.auth, (await issued(warm.app, 'u1')).otp)
      for (const [what, run] of outcomes) {
        sent[what] = (await clientCommandsDuring(async () => void (await run()))).join(' ')
      }
      const refusal = 'evalsha evalsha'
      expect(sent).to.deep.equal({
        'unknown subject': refusal,
        wrong: refusal,
        burned: refusal,
        locked: refusal,
        'binding mismatch': refusal,
        spent: refusal,
        right: 'evalsha evalsha evalsha',
      })
    })
  })

  describe('durability of failure counts', () => {
    it('rejects a passcode with StoreUnavailableError, for an unknown subject too, when no replica acknowledges, after the same commands', async () => {
      // The shared test Redis has no replica: every wait for one fails, whatever the passcode.
      const { app, auth } = buildApp(
        codesOptions({ redis: redis.client, keyPrefix: redis.prefix, durability: { replicas: 1, timeoutMs: 50 } }),
      )
      const res = await postCodes(app, { external_user_id: 'u1', otp: true })
      expect(res.status, 'an idempotent POST /codes waits too').to.equal(503)
      const answers: Record<string, string> = {}
      for (const subject of ['u1', 'nobody']) {
        const sent = await clientCommandsDuring(async () => {
          answers[subject] = await auth.redeemOtp({ clientId: 'crm', subject, otp: '123456' }).then(
            () => 'granted',
            (err: unknown) => (err instanceof StoreUnavailableError ? 'unavailable' : String(err)),
          )
        })
        answers[subject] += ` after ${sent.join(' ')}`
      }
      const waited = 'unavailable after evalsha evalsha wait wait'
      expect(answers).to.deep.equal({ u1: waited, nobody: waited })
    })
  })
})
