// An ESM host: named and default imports of the package, on the project's own express.
import assert from 'node:assert/strict'
import express from 'express'
import authcodeDefault, { authcode, InvalidGrantError, MemoryStore } from 'express-authcode'
import flow from './flow.cjs'

assert.equal(authcodeDefault, authcode)
await flow(express, { authcode, InvalidGrantError, MemoryStore })
