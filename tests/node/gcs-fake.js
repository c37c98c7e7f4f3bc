// gcs-fake.js PORT PUBKEY.pem: a stand-in for Google's token endpoint and
// the GCS XML API, to test the service-account flow offline.
//   POST /token   checks the form (grant_type, assertion), verifies the
//                 JWT's RS256 signature with PUBKEY and its claims, and
//                 answers {"access_token":"fake-token-1", ...}
//   GET /bkt/KEY  answers "object KEY" with "Authorization: Bearer
//                 fake-token-1", else 401 with an XML error
// Prints "ready" once it listens.
const crypto = require('crypto')
const fs = require('fs')
const http = require('http')

const [port, pubFile] = process.argv.slice(2)
const pub = crypto.createPublicKey(fs.readFileSync(pubFile))

function b64url(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

http.createServer((req, res) => {
  let body = ''
  req.on('data', (d) => { body += d })
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/token') {
      const form = new URLSearchParams(body)
      const jwt = form.get('assertion') || ''
      const [h, c, s] = jwt.split('.')
      let ok = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
        s !== undefined && crypto.verify('sha256', Buffer.from(`${h}.${c}`), pub, b64url(s))
      if (ok) {
        const claims = JSON.parse(b64url(c).toString())
        const now = Date.now() / 1000
        ok = claims.iss === 'tq@example.iam.gserviceaccount.com' &&
          claims.aud === `http://127.0.0.1:${port}/token` &&
          claims.scope === 'https://www.googleapis.com/auth/devstorage.read_write' &&
          Math.abs(claims.iat - now) < 60 && claims.exp === claims.iat + 3600 &&
          JSON.parse(b64url(h).toString()).alg === 'RS256'
      }
      res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(ok
        ? { access_token: 'fake-token-1', expires_in: 3599, token_type: 'Bearer' }
        : { error: 'invalid_grant' }))
      return
    }
    if (req.headers.authorization !== 'Bearer fake-token-1') {
      res.writeHead(401, { 'Content-Type': 'application/xml' })
      res.end('<?xml version="1.0"?><Error><Code>AuthenticationRequired</Code>' +
        '<Message>bad or no token</Message></Error>')
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
    res.end(`object ${decodeURIComponent(req.url)}`)
  })
}).listen(Number(port), '127.0.0.1', () => console.log('ready'))
process.on('SIGTERM', () => process.exit(0))
