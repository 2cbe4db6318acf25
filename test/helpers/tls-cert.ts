import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** A PEM private key and its self-signed certificate. */
export interface LocalhostCertificate {
  key: string
  cert: string
}

let made: Promise<LocalhostCertificate> | undefined

/**
 * A throw-away self-signed P-256 certificate, valid for one day, for `localhost`, `127.0.0.1` and
 * `::1`: a loopback HTTPS server presents it, and a client trusts it by taking `cert` as its CA.
 * Made once per run by Debian's `openssl` CLI in a temporary directory, removed afterwards.
 */
export function makeLocalhostCertificate(): Promise<LocalhostCertificate> {
  made ??= generate().catch((err: unknown) => {
    made = undefined
    throw err
  })
  return made
}

async function generate(): Promise<LocalhostCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'authcode-tls-'))
  try {
    const keyFile = join(dir, 'key.pem')
    const certFile = join(dir, 'cert.pem')
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ])
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')])
    return { key, cert }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
