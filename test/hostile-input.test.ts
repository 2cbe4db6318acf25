import { expect } from 'chai'
import fc from 'fast-check'
import { MemoryStore, RedisStore } from '../lib/index.js'
import type { CodeStore } from '../types/index.js'
import { buildApp, MOUNT } from './helpers/app.js'
import { endpoints, fullOptions, mostly, USER_HEADER, type Endpoint } from './helpers/endpoints.js'
import { serve, type HttpAnswer, type HttpRequest } from './helpers/http.js'
import { useTestRedis } from './helpers/redis.js'

/** Generated requests per CI run, spread over the endpoints of the table. */
const MEMORY_RUNS = 2400
const REDIS_RUNS = 400

/** Names that pollute prototypes when a parser or a merge trusts them. */
const POISON = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__[polluted]',
  'constructor[prototype][polluted]',
  'a[b][c][d][e]',
  'toString',
  'hasOwnProperty',
]

const anyText = fc.string({ unit: 'binary', maxLength: 64 })
const name = fc.oneof(fc.constantFrom(...POISON), fc.string({ maxLength: 20 }), anyText)

/** A header value node:http will send: the UTF-8 bytes of any text, as latin1, minus control characters. */
const headerValue = anyText.map((text) =>
  [...Buffer.from(text, 'utf8').toString('latin1')].filter((c) => c === '\t' || (c >= ' ' && c !== '\x7f')).join(''),
)

/** One percent-encoded query or form pair; sometimes raw, broken escapes included. */
function pair(key: fc.Arbitrary<string>, value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const broken = fc.constantFrom('%', '%zz', '%C0%AF', '%E0%A4%A', '+', '%00', '&&', '==')
  return fc
    .tuple(key, value, fc.boolean(), broken)
    .map(([k, v, raw, junk]) =>
      raw ? `${encodeURIComponent(k)}=${encodeURIComponent(v)}${junk}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
    )
}

/**
 * The endpoint's own parameters (each usually there, rare ones seldom, now and then twice)
 * plus a few hostile extras, in any order.
 */
function entries(endpoint: Endpoint, extra: fc.Arbitrary<readonly [string, string]>): fc.Arbitrary<Array<readonly [string, string]>> {
  const { fields, rare = [] } = endpoint.hostile
  const known = Object.entries(fields).map(([field, value]) =>
    fc
      .option(
        fc.array(
          value.map((v) => [field, v] as const),
          { minLength: 1, maxLength: 2, size: 'xsmall' },
        ),
        { freq: rare.includes(field) ? 1 : 9, nil: undefined },
      )
      .map((v) => v ?? []),
  )
  return fc
    .tuple(fc.tuple(...known), fc.array(extra, { maxLength: 3 }))
    .chain(([groups, extras]) => fc.shuffledSubarray([...groups.flat(), ...extras], { minLength: groups.flat().length + extras.length }))
}

function params(endpoint: Endpoint): fc.Arbitrary<string> {
  const encode = (k: string, v: string) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
  return fc
    .tuple(entries(endpoint, fc.tuple(name, anyText)), fc.array(pair(name, anyText), { maxLength: 2 }))
    .map(([list, broken]) => [...list.map(([k, v]) => encode(k, v)), ...broken].join('&'))
}

function jsonObject(endpoint: Endpoint): fc.Arbitrary<string> {
  return entries(endpoint, fc.tuple(name, fc.json({ depthSize: 'small' }))).map(
    (list) => `{${list.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`,
  )
}

/** Bodies no endpoint should choke on. */
const nasty = fc.oneof(
  fc.json(),
  anyText,
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 1, max: 2_000 }).map((depth) => `${'a'.repeat(3)}${'[x]'.repeat(depth)}=1`),
  fc.integer({ min: 16 * 1024 - 8, max: 64 * 1024 }).map((size) => `{"external_user_id":"${'x'.repeat(size)}"}`),
  fc.integer({ min: 1, max: 4_000 }).map((count) => Array.from({ length: count }, (_, i) => `p${i}=1`).join('&')),
)

const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/json; charset=bogus',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  '*/*',
  ';;;',
]

function hostileRequest(endpoint: Endpoint): fc.Arbitrary<HttpRequest> {
  const {
    body,
    authorization: [usual = '', ...others],
  } = endpoint.hostile
  const structured = body === 'json' ? jsonObject(endpoint) : params(endpoint)
  const headers = fc
    .record(
      {
        'content-type': mostly(
          body === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
          fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue),
        ),
        authorization: mostly(usual, fc.oneof(fc.constantFrom(...others, 'Basic', 'Bearer', 'Signature'), headerValue)),
        'idempotency-key': fc.oneof(
          { weight: 4, arbitrary: fc.uuid() },
          fc.uuid().map((u) => `"${u}"`),
          headerValue,
        ),
        [USER_HEADER]: mostly('user-42', headerValue),
        accept: fc.constantFrom('text/html', 'application/json', '*/*', 'image/png'),
        'content-encoding': fc.constantFrom('identity', 'gzip', 'br', 'x-bogus'),
        date: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19).replace('T', ' ')),
          headerValue,
        ),
        cookie: headerValue,
      },
      { requiredKeys: ['content-type', 'authorization', 'idempotency-key', USER_HEADER] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, value]) => value !== '')))
  return fc
    .record({
      headers,
      query: body === 'query' ? structured : fc.oneof(fc.constant(''), params(endpoint)),
      payload:
        endpoint.method === 'GET'
          ? fc.constant(undefined)
          : fc.oneof({ weight: 3, arbitrary: structured }, { weight: 2, arbitrary: nasty }),
    })
    .map(({ headers: h, query, payload }) => ({
      method: endpoint.method,
      path: `${MOUNT}${endpoint.path}${query ? `?${query}` : ''}`,
      headers: h as Record<string, string>,
      ...(payload === undefined ? {} : { body: payload }),
    }))
}

/** What every answer to anything must be. */
function expectSane(res: HttpAnswer, req: HttpRequest): void {
  const context = `${req.method} ${req.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`
  expect(res.status, context).to.be.within(200, 499)
  expect(res.headers['cache-control'], context).to.equal('no-store')
  if (/json/.test(String(res.headers['content-type']))) expect(res.json, context).to.be.an('object')
}

/** Own property names and values of the prototypes a pollution would show on. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) =>
      Object.entries(Object.getOwnPropertyDescriptors(proto))
        .map(([key, d]) => `${key}:${'value' in d ? typeof d.value : 'accessor'}`)
        .sort()
        .join(','),
    )
    .join('|')
}

function fuzzSuite(name: string, runs: number, makeStore: () => Promise<{ store: CodeStore; done(): Promise<void> }>) {
  describe(name, function () {
    this.timeout(120_000)
    const runsPer = Math.ceil(runs / endpoints.length)

    for (const endpoint of endpoints) {
      it(`answers ${runsPer} hostile requests to ${endpoint.name} with no 5xx, always no-store`, async () => {
        const before = prototypeSnapshot()
        const { store, done } = await makeStore()
        const limit = { limit: 1_000_000, windowMs: 60_000 }
        const { app } = buildApp(fullOptions({ store, rateLimit: { perClient: limit, perSubject: limit, perIp: limit } }))
        const served = await serve(app)
        try {
          await fc.assert(
            fc.asyncProperty(hostileRequest(endpoint), async (req) => {
              expectSane(await served.send(req), req)
            }),
            { numRuns: runsPer },
          )
          expect(prototypeSnapshot()).to.equal(before)
          expect(({} as Record<string, unknown>).polluted).to.equal(undefined)
        } finally {
          await served.close()
          await done()
        }
      })
    }
  })
}

describe('hostile input', () => {
  const redis = useTestRedis()

  fuzzSuite('on MemoryStore', MEMORY_RUNS, async () => {
    const store = new MemoryStore()
    return { store, done: async () => store.close() }
  })

  fuzzSuite('on RedisStore', REDIS_RUNS, async () => {
    return { store: new RedisStore({ client: redis.client, prefix: redis.prefix }), done: async () => undefined }
  })
})
