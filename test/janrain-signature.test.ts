import { expect } from 'chai'
import { janrainSignature, unbindableParameter } from '../lib/endpoints/capture/janrain-signature.js'
import { janrainDate, janrainSign, janrainSignedText } from './helpers/janrain-client.js'

/** Known answers of Capture's signing algorithm, worked out independently of both implementations. */
const VECTORS = [
  {
    name: 'getAuthorizationCode with five parameters',
    secret: 's3cr3t',
    path: '/access/getAuthorizationCode',
    date: '2024-01-02 03:04:05',
    params: {
      for_client_id: 'abc123',
      lifetime: '30',
      redirect_uri: 'https://example.com/oauth',
      type_name: 'user',
      uuid: '02b0c68d-7d7a-49d8-a88d-022585b0f877',
    },
    signature: '6C0ysBTmt8xGq+pSMO8oMDnRTHo=',
  },
  {
    name: 'entity.count with no parameters',
    secret: 's3cr3t',
    path: '/entity.count',
    date: '2024-01-02 03:04:05',
    params: {},
    signature: 'ls7eM0D0SfSdYBogqzgWu3MjKZY=',
  },
] as const

describe('janrain-signed requests', () => {
  describe('the test client, written from the documented algorithm', () => {
    for (const vector of VECTORS) {
      it(`signs the known answer: ${vector.name}`, () => {
        expect(janrainSign(vector.secret, vector.path, vector.date, vector.params)).to.equal(vector.signature)
      })
    }

    it('signs path, Date and sorted name=value lines, each line ending in a newline', () => {
      expect(janrainSignedText('/x', '2024-01-02 03:04:05', { b: '2', a: '1' })).to.equal('/x\n2024-01-02 03:04:05\na=1\nb=2\n')
      expect(janrainSignedText('/x', '2024-01-02 03:04:05', {})).to.equal('/x\n2024-01-02 03:04:05\n')
    })

    it('writes the Date as YYYY-MM-DD HH:MM:SS in UTC', () => {
      expect(janrainDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).to.equal('2024-01-02 03:04:05')
    })
  })

  describe("the server's signature function", () => {
    for (const vector of VECTORS) {
      it(`computes the known answer: ${vector.name}`, () => {
        expect(janrainSignature(vector.secret, vector.path, vector.date, Object.entries(vector.params))).to.equal(vector.signature)
      })
    }

    it('leaves client_id, client_secret and access_token out, wherever they are sent', () => {
      const [vector] = VECTORS
      const withCredentials = [
        ['client_id', 'abc'],
        ...Object.entries(vector.params),
        ['client_secret', 'x'],
        ['access_token', 'y'],
      ] as const
      expect(janrainSignature(vector.secret, vector.path, vector.date, withCredentials)).to.equal(vector.signature)
    })

    it('covers a parameter sent with an empty value, as the client signs it', () => {
      const params = { uuid: 'u-1', transaction_state: '' }
      const signed = janrainSignature('s3cr3t', '/p', '2024-01-02 03:04:05', Object.entries(params))
      expect(signed).to.equal(janrainSign('s3cr3t', '/p', '2024-01-02 03:04:05', params))
      expect(signed).not.to.equal(janrainSign('s3cr3t', '/p', '2024-01-02 03:04:05', { uuid: 'u-1' }))
    })

    it('sorts lines by code point like the client, where UTF-16 order differs', () => {
      // U+1F600 sorts after U+FF5E by code point, before it by UTF-16 unit (its lead surrogate is U+D83D).
      const sets: Array<Record<string, string>> = [
        { 'k\u{1F600}': '1', 'k\uFF5E': '2' },
        { n: '\u{1F600}', 'n\uFF5E': 'x', m: 'ß', M: 'é' },
        { 'a-b': '1', a: '2', a_b: '3' },
      ]
      for (const set of sets) {
        expect(janrainSignature('k', '/p', '2024-01-02 03:04:05', Object.entries(set)), JSON.stringify(set)).to.equal(
          janrainSign('k', '/p', '2024-01-02 03:04:05', set),
        )
      }
      const text = janrainSignedText('/p', 'd', sets[0] as Record<string, string>)
      expect(text.indexOf('k\uFF5E=2'), 'the test client sorts by code point').to.be.below(text.indexOf('k\u{1F600}=1'))
    })
  })

  describe('parameters a signature cannot bind', () => {
    it('refuses a name holding "=" or a newline, and a value holding a newline', () => {
      expect(unbindableParameter([['a=b', '1']])).to.be.a('string')
      expect(unbindableParameter([['a\nb', '1']])).to.be.a('string')
      expect(unbindableParameter([['a', '1\nb=2']])).to.be.a('string')
    })

    it('accepts everything else, and does not look at the credentials the signature leaves out', () => {
      expect(
        unbindableParameter([
          ['a', 'x=y'],
          ['b', '\r\t '],
          ['c', ''],
        ]),
      ).to.equal(undefined)
      expect(unbindableParameter([['client_id', 'a\nb']])).to.equal(undefined)
    })
  })
})
