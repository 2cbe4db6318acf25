import express from 'express'
import pkg from 'express/package.json' with { type: 'json' }
console.log('express', pkg.version, process.env.EXPRESS_MAJOR)
