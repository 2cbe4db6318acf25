/* global require, process, console */
// A CommonJS host: require() of the ESM package (Node >= 20.19), on the project's own express.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS host */
const assert = require('node:assert/strict')
const express = require('express')
const lib = require('express-authcode')
const flow = require('./flow.cjs')

assert.equal(lib.default, lib.authcode, 'require() exposes the default export as .default')
flow(express, lib).catch((err) => {
  console.error(err)
  process.exitCode = 1
})
