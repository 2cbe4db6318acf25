import { expect } from 'chai'
import { randomBytes, randomUUID } from 'node:crypto'
import type { NewRefreshFamily, RefreshRotation, RefreshTokenStore } from '../types/index.js'
import { fanOut, tally } from './helpers/fan-out.js'
import type { StoreUnderTest } from './store-contract.js'

/** A family's ids: every one starts with the family's two-character hash tag, as the engine draws them. */
function familyIds() {
  const tag = randomBytes(2).toString('base64url').slice(0, 2)
  return { tag, familyId: `${tag}${randomUUID()}`, token: () => `${tag}${randomUUID()}` }
}

/** The behaviour every {@link RefreshTokenStore} must have; run by each store's own test file. */
export function refreshStoreContract(makeStore: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  let store: RefreshTokenStore
  let elapse: (ms: number) => Promise<void>
  beforeEach(async () => {
    const made = await makeStore()
    const refresh = made.store.refreshTokenStore?.()
    if (refresh === undefined) throw new Error('the store keeps no refresh tokens')
    ;({ elapse } = made)
    store = refresh
  })

  /** Mints a family for `group` (random unless given) and resolves its ids and its first token's. */
  async function mint(more: Partial<NewRefreshFamily> = {}) {
    const ids = familyIds()
    const first = ids.token()
    const family: NewRefreshFamily = {
      familyId: ids.familyId,
      tokenId: first,
      value: `sealed-${first}`,
      idleMs: 60_000,
      maxLifetimeMs: 600_000,
      owner: { group: randomUUID(), clientId: 'web' },
      ...more,
    }
    await store.mint(family)
    return { ...ids, first, family }
  }

  /** A rotation of `tokenId` to a fresh successor of its family. */
  function rotation(family: { familyId: string; token: () => string }, tokenId: string, more: Partial<RefreshRotation> = {}) {
    const id = family.token()
    return {
      id,
      rotation: {
        familyId: family.familyId,
        tokenId,
        successor: { id, value: `sealed-${id}` },
        idleMs: 60_000,
        reuseIntervalMs: 0,
        ...more,
      },
    }
  }

  it('keeps a minted token live with its sealed value, and knows no other', async () => {
    const { first } = await mint()
    expect(await store.read(first)).to.deep.equal({ status: 'live', value: `sealed-${first}` })
    expect(await store.read(familyIds().token())).to.deep.equal({ status: 'missing' })
  })

  it('rotates a live token to its successor: the token reads consumed with its value, the successor live', async () => {
    const family = await mint()
    const next = rotation(family, family.first)
    expect(await store.rotate(next.rotation)).to.deep.equal({ status: 'rotated' })
    expect(await store.read(family.first)).to.deep.equal({ status: 'consumed', value: `sealed-${family.first}` })
    expect(await store.read(next.id)).to.deep.equal({ status: 'live', value: `sealed-${next.id}` })
    const after = rotation(family, next.id)
    expect(await store.rotate(after.rotation), 'the successor rotates in turn').to.deep.equal({ status: 'rotated' })
  })

  it('revokes the family, newest token included, when a rotated token comes back past reuseInterval', async () => {
    const family = await mint()
    const next = rotation(family, family.first)
    await store.rotate(next.rotation)
    expect(await store.rotate({ ...rotation(family, family.first).rotation, successor: undefined })).to.deep.equal({
      status: 'reused',
      revoked: true,
    })
    expect(await store.rotate(rotation(family, family.first).rotation), 'again: the family is gone already').to.deep.equal({
      status: 'reused',
      revoked: false,
    })
    expect(await store.rotate(rotation(family, next.id).rotation), 'the newest token').to.deep.equal({ status: 'revoked' })
  })

  it('refuses a token rotated within reuseInterval without revoking its family', async () => {
    const family = await mint()
    const next = rotation(family, family.first)
    await store.rotate(next.rotation)
    expect(await store.rotate(rotation(family, family.first, { reuseIntervalMs: 60_000 }).rotation)).to.deep.equal({ status: 'recent' })
    expect(await store.rotate(rotation(family, next.id).rotation)).to.deep.equal({ status: 'rotated' })
  })

  it('lets exactly one of 100 concurrent rotations of one token win; with reuseInterval 0 the others revoke the family', async () => {
    const family = await mint()
    const attempts = Array.from({ length: 100 }, () => rotation(family, family.first))
    const results = await fanOut(100, (i) => store.rotate((attempts[i] as (typeof attempts)[number]).rotation))
    expect(tally(results, (r) => (r.status === 'reused' ? `reused ${r.revoked}` : r.status))).to.deep.equal({
      rotated: 1,
      'reused true': 1,
      'reused false': 98,
    })
    const winner = attempts[results.findIndex((r) => r.status === 'rotated')] as (typeof attempts)[number]
    expect(await store.rotate(rotation(family, winner.id).rotation), "the winner's successor").to.deep.equal({ status: 'revoked' })
  })

  it('lets exactly one of 100 concurrent rotations win within reuseInterval, and keeps the family', async () => {
    const family = await mint()
    const attempts = Array.from({ length: 100 }, () => rotation(family, family.first, { reuseIntervalMs: 60_000 }))
    const results = await fanOut(100, (i) => store.rotate((attempts[i] as (typeof attempts)[number]).rotation))
    expect(tally(results, (r) => r.status)).to.deep.equal({ rotated: 1, recent: 99 })
    const winner = attempts[results.findIndex((r) => r.status === 'rotated')] as (typeof attempts)[number]
    expect(await store.rotate(rotation(family, winner.id).rotation)).to.deep.equal({ status: 'rotated' })
  })

  describe('lifetimes', () => {
    // Long enough that a loaded machine runs each step inside them, on real time too.
    it('forgets a token left unused for idleMs, and its family with it', async () => {
      const family = await mint({ idleMs: 400 })
      await elapse(450)
      expect(await store.read(family.first)).to.deep.equal({ status: 'missing' })
      expect(await store.rotate(rotation(family, family.first).rotation)).to.deep.equal({ status: 'missing' })
    })

    it('starts idleMs again at each rotation', async () => {
      const family = await mint({ idleMs: 600 })
      await elapse(400)
      const next = rotation(family, family.first, { idleMs: 600 })
      expect(await store.rotate(next.rotation)).to.deep.equal({ status: 'rotated' })
      await elapse(400)
      expect((await store.read(next.id)).status, '800 ms after the family started, 400 after the rotation').to.equal('live')
      expect(await store.rotate(rotation(family, next.id).rotation)).to.deep.equal({ status: 'rotated' })
    })

    it('lets no token outlive maxLifetimeMs from the family’s start, however recently it rotated', async () => {
      const family = await mint({ idleMs: 60_000, maxLifetimeMs: 700 })
      await elapse(300)
      const next = rotation(family, family.first)
      expect(await store.rotate(next.rotation)).to.deep.equal({ status: 'rotated' })
      await elapse(450)
      expect(await store.read(next.id)).to.deep.equal({ status: 'missing' })
      expect(await store.rotate(rotation(family, next.id).rotation)).to.deep.equal({ status: 'missing' })
    })

    it('keeps a rotated token’s marker until the token would have expired, then forgets it', async () => {
      const family = await mint({ idleMs: 500 })
      const next = rotation(family, family.first, { idleMs: 60_000 })
      await store.rotate(next.rotation)
      await elapse(550)
      expect(await store.read(family.first)).to.deep.equal({ status: 'missing' })
      expect((await store.read(next.id)).status).to.equal('live')
    })
  })

  describe('revocation', () => {
    it('revokes one family: its live token stops rotating; a second revocation finds nothing', async () => {
      const family = await mint()
      const other = await mint()
      expect(await store.revoke(family.familyId)).to.equal(true)
      expect(await store.revoke(family.familyId)).to.equal(false)
      expect(await store.rotate(rotation(family, family.first).rotation)).to.deep.equal({ status: 'revoked' })
      expect(await store.rotate(rotation(other, other.first).rotation), 'another family').to.deep.equal({ status: 'rotated' })
    })

    it('revokes every live family of an owner, of one client or of all, and counts only what it revoked', async () => {
      const group = randomUUID()
      const web = await mint({ owner: { group, clientId: 'web' } })
      const crm = await mint({ owner: { group, clientId: 'crm' } })
      const gone = await mint({ owner: { group, clientId: 'web' } })
      const stranger = await mint()
      await store.revoke(gone.familyId)
      expect(await store.revokeOwner(group, { clientId: 'web' })).to.equal(1)
      expect(await store.rotate(rotation(web, web.first).rotation)).to.deep.equal({ status: 'revoked' })
      expect(await store.rotate(rotation(crm, crm.first).rotation), "the other client's family").to.deep.equal({ status: 'rotated' })
      expect(await store.revokeOwner(group)).to.equal(1)
      expect(await store.revokeOwner(group)).to.equal(0)
      expect(await store.rotate(rotation(stranger, stranger.first).rotation), 'another owner').to.deep.equal({ status: 'rotated' })
    })
  })
}
