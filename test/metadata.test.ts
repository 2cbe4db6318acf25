import { expect } from 'chai'
import request from 'supertest'
import { MemoryStore } from '../lib/index.js'
import { baseOptions, buildApp, ISSUER, MOUNT } from './helpers/app.js'

describe('GET /.well-known/oauth-authorization-server', () => {
  const store = new MemoryStore()
  after(() => store.close())

  it('serves the RFC 8414 document for the issuer', async () => {
    const { app, auth } = buildApp(baseOptions({ store }))
    const res = await request(app).get(`${MOUNT}/.well-known/oauth-authorization-server`).expect(200)
    expect(res.body).to.deep.equal(auth.metadata)
    expect(res.body).to.include({ issuer: ISSUER, token_endpoint: `${ISSUER}/token`, authorization_response_iss_parameter_supported: true })
    expect(res.body.response_types_supported).to.deep.equal(['code'])
    expect(res.body.code_challenge_methods_supported).to.deep.equal(['S256'])
    expect(res.body.grant_types_supported).to.deep.equal(['authorization_code'])
    expect(res.body.token_endpoint_auth_methods_supported).to.have.members(['none', 'client_secret_basic', 'client_secret_post'])
  })

  it('leaves out the token endpoint when /token is not mounted', () => {
    const { auth } = buildApp(baseOptions({ store, issueTokens: undefined }))
    expect(auth.metadata).not.to.have.property('token_endpoint')
  })

  it('names the path-inserted well-known URL for the host to serve', () => {
    const { auth } = buildApp(baseOptions({ store }))
    expect(auth.metadataPath).to.equal('/.well-known/oauth-authorization-server/api/id/v1/auth')
  })
})
