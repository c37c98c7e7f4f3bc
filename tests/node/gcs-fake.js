// gcs-fake.js PORT PUBKEY.pem [PAGE]: a stand-in for Google's token
// endpoint and the subset of the GCS JSON API that tempo uses, strict
// about what it accepts, to test the OAuth2 paths offline.  Bucket "bkt"
// exists, no other.
//   POST /token   checks the form (grant_type, assertion), verifies the
//                 JWT's RS256 signature with PUBKEY and its claims, and
//                 answers {"access_token":"fake-token-1", ...}
//   /storage/v1/b/BUCKET/o[/OBJECT] and /upload/storage/v1/b/BUCKET/o:
//                 the JSON API with "Authorization: Bearer fake-token-1"
//                 (else 401): objects.get (metadata, or alt=media with
//                 Range), objects.list (prefix, delimiter, pageToken,
//                 maxResults; PAGE entries a page unless maxResults is
//                 smaller), objects.delete, uploads with uploadType=media
//                 and uploadType=resumable (session URI in Location; PUT
//                 chunks with Content-Range, multiples of 256 KiB but the
//                 last, answered 308 with Range until the total arrives;
//                 "bytes */N" status queries, answered 200 with the
//                 object once the session is complete; DELETE cancels
//                 with 499).
//                 OBJECT and the query must be percent-encoded (only
//                 A-Z a-z 0-9 - . _ ~ raw): anything else is a 400.
//                 Objects whose name contains "keep-half" keep only half
//                 of each resumable chunk (in 256 KiB units), as GCS may;
//                 for those containing "elsewhere" the session URI names
//                 another host (a client must not send its token there).
//   other GETs    the XML API's echo: "object PATH" with the same token
//                 (an XML error otherwise), for the forced XML API.
// Prints "ready" once it listens.
const crypto = require('crypto')
const fs = require('fs')
const http = require('http')

const [port, pubFile, pageArg] = process.argv.slice(2)
const pub = crypto.createPublicKey(fs.readFileSync(pubFile))
const PAGE = Number(pageArg || 1000)
const UNIT = 256 * 1024
const TOKEN = 'fake-token-1'
const buckets = new Set(['bkt'])
const objects = new Map() // name -> { data, generation }
const sessions = new Map() // upload_id -> { name, chunks, persisted }
const completed = new Map() // upload_id -> the object's metadata
let generation = 1

function b64url(s) {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}

function jsonError(res, code, message, reason, extra) {
  res.writeHead(code, { 'Content-Type': 'application/json; charset=UTF-8', ...extra })
  res.end(JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason }] } }))
}

function meta(bucket, name, o) {
  return {
    kind: 'storage#object', id: `${bucket}/${name}/${o.generation}`, name, bucket,
    generation: String(o.generation), size: String(o.data.length),
    contentType: 'application/octet-stream',
  }
}

function sendJson(res, code, obj) {
  const body = JSON.stringify(obj)
  res.writeHead(code, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

// strictly encoded: only unreserved characters raw, %XX for the rest.
function decodeStrict(s) {
  if (!/^(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})*$/.test(s)) return null
  try { return decodeURIComponent(s) } catch { return null }
}

function parseQuery(q) {
  const out = new Map()
  if (q === '') return out
  for (const kv of q.split('&')) {
    const i = kv.indexOf('=')
    if (i < 0) return null
    const k = decodeStrict(kv.slice(0, i)), v = decodeStrict(kv.slice(i + 1))
    if (k === null || v === null || out.has(k)) return null
    out.set(k, v)
  }
  return out
}

function byteCmp(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

function onlyParams(q, allowed) {
  for (const k of q.keys()) if (!allowed.includes(k)) return k
  return null
}

function list(res, bucket, q) {
  const bad = onlyParams(q, ['prefix', 'delimiter', 'pageToken', 'maxResults', 'fields'])
  if (bad) return jsonError(res, 400, `Invalid argument: ${bad}`, 'invalid')
  const prefix = q.get('prefix') || '', delim = q.get('delimiter') || ''
  let max = PAGE
  if (q.has('maxResults')) {
    if (!/^[1-9][0-9]*$/.test(q.get('maxResults'))) return jsonError(res, 400, 'Invalid maxResults', 'invalid')
    max = Math.min(max, Number(q.get('maxResults')))
  }
  let after = null
  if (q.has('pageToken')) {
    let t
    try { t = JSON.parse(Buffer.from(q.get('pageToken'), 'base64').toString()) } catch { t = null }
    if (!t || t.prefix !== prefix || t.delim !== delim || typeof t.after !== 'string') {
      return jsonError(res, 400, 'Invalid pageToken', 'invalid')
    }
    after = t.after
  }
  const entries = new Map()
  for (const [name, o] of objects) {
    if (!name.startsWith(prefix)) continue
    const rest = name.slice(prefix.length), i = delim ? rest.indexOf(delim) : -1
    if (i >= 0) entries.set(prefix + rest.slice(0, i + delim.length), null)
    else entries.set(name, o)
  }
  const sorted = [...entries.keys()].sort(byteCmp).filter((k) => after === null || byteCmp(k, after) > 0)
  const page = sorted.slice(0, max)
  const body = { kind: 'storage#objects' }
  const items = page.filter((k) => entries.get(k) !== null).map((k) => meta(bucket, k, entries.get(k)))
  const prefixes = page.filter((k) => entries.get(k) === null)
  if (items.length) body.items = items
  if (prefixes.length) body.prefixes = prefixes
  if (sorted.length > max) {
    body.nextPageToken = Buffer.from(JSON.stringify({ prefix, delim, after: page[page.length - 1] })).toString('base64')
  }
  sendJson(res, 200, body)
}

function object(req, res, bucket, name, q, body) {
  const o = objects.get(name)
  if (req.method === 'DELETE') {
    if (q.size) return jsonError(res, 400, 'Unexpected parameters', 'invalid')
    if (!o) return jsonError(res, 404, `No such object: ${bucket}/${name}`, 'notFound')
    objects.delete(name)
    res.writeHead(204)
    return res.end()
  }
  if (req.method !== 'GET' || body.length) return jsonError(res, 405, 'Method not allowed', 'invalid')
  const bad = onlyParams(q, ['alt', 'fields'])
  if (bad) return jsonError(res, 400, `Invalid argument: ${bad}`, 'invalid')
  if (!o) return jsonError(res, 404, `No such object: ${bucket}/${name}`, 'notFound')
  if (!q.has('alt')) return sendJson(res, 200, meta(bucket, name, o))
  if (q.get('alt') !== 'media') return jsonError(res, 400, 'Invalid alt', 'invalid')
  const range = req.headers.range
  if (range === undefined) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': o.data.length })
    return res.end(o.data)
  }
  const m = /^bytes=(\d+)-(\d*)$/.exec(range)
  if (!m) return jsonError(res, 400, `Bad Range ${range}`, 'invalid')
  const start = Number(m[1]), end = m[2] === '' ? o.data.length - 1 : Math.min(Number(m[2]), o.data.length - 1)
  if (start >= o.data.length || end < start) {
    return jsonError(res, 416, 'Requested range not satisfiable', 'requestedRangeNotSatisfiable',
      { 'Content-Range': `bytes */${o.data.length}` })
  }
  res.writeHead(206, {
    'Content-Type': 'application/octet-stream', 'Content-Length': end - start + 1,
    'Content-Range': `bytes ${start}-${end}/${o.data.length}`,
  })
  res.end(o.data.subarray(start, end + 1))
}

function finish(res, bucket, s, id) {
  const o = { data: Buffer.concat(s.chunks), generation: generation++ }
  objects.set(s.name, o)
  sessions.delete(id)
  completed.set(id, meta(bucket, s.name, o))
  sendJson(res, 200, completed.get(id))
}

function incomplete(res, s) {
  res.writeHead(308, s.persisted > 0 ? { Range: `bytes=0-${s.persisted - 1}` } : {})
  res.end()
}

function upload(req, res, bucket, q, body) {
  const type = q.get('uploadType')
  if (req.method === 'POST') {
    const bad = onlyParams(q, ['uploadType', 'name'])
    if (bad) return jsonError(res, 400, `Invalid argument: ${bad}`, 'invalid')
    if (!q.get('name')) return jsonError(res, 400, 'Required: name', 'required')
    if (type === 'media') {
      if (/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) {
        return jsonError(res, 400, 'Media upload sent as a form', 'invalid')
      }
      const o = { data: body, generation: generation++ }
      objects.set(q.get('name'), o)
      return sendJson(res, 200, meta(bucket, q.get('name'), o))
    }
    if (type !== 'resumable') return jsonError(res, 400, `Invalid uploadType ${type}`, 'invalid')
    if (body.length) {
      if (!/^application\/json/.test(req.headers['content-type'] || '')) {
        return jsonError(res, 400, 'Metadata must be JSON', 'invalid')
      }
      try { JSON.parse(body.toString()) } catch { return jsonError(res, 400, 'Bad metadata', 'parseError') }
    }
    const id = crypto.randomBytes(16).toString('hex')
    sessions.set(id, { name: q.get('name'), chunks: [], persisted: 0 })
    const host = q.get('name').includes('elsewhere') ? 'elsewhere.invalid' : req.headers.host
    res.writeHead(200, {
      Location: `http://${host}/upload/storage/v1/b/${bucket}/o?uploadType=resumable` +
        `&name=${encodeURIComponent(q.get('name'))}&upload_id=${id}`,
      'Content-Length': 0,
    })
    return res.end()
  }
  const id = q.get('upload_id'), s = sessions.get(id)
  if (type !== 'resumable' || !id) return jsonError(res, 400, 'Not an upload session', 'invalid')
  // A finished session answers with its object, whatever is asked.
  if (completed.has(id) && req.method === 'PUT') return sendJson(res, 200, completed.get(id))
  if (!s) return jsonError(res, 404, 'No such upload session', 'notFound')
  if (req.method === 'DELETE') {
    sessions.delete(id)
    res.writeHead(499)
    return res.end()
  }
  if (req.method !== 'PUT') return jsonError(res, 405, 'Method not allowed', 'invalid')
  const cr = req.headers['content-range'] || ''
  let m = /^bytes \*\/(\d+|\*)$/.exec(cr)
  if (m) {
    if (body.length) return jsonError(res, 400, 'A status query has no body', 'invalid')
    if (m[1] !== '*' && Number(m[1]) === s.persisted) return finish(res, bucket, s, id)
    return incomplete(res, s)
  }
  m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(cr)
  if (!m) return jsonError(res, 400, `Bad Content-Range ${cr}`, 'invalid')
  const start = Number(m[1]), end = Number(m[2]), total = m[3] === '*' ? -1 : Number(m[3])
  if (end < start || body.length !== end - start + 1) {
    return jsonError(res, 400, `Content-Range ${cr} but ${body.length} bytes`, 'invalid')
  }
  if (start !== s.persisted) {
    return jsonError(res, 400, `Chunk at ${start}, but ${s.persisted} bytes held`, 'invalid')
  }
  const last = total >= 0 && end + 1 === total
  if (total >= 0 && end + 1 > total) return jsonError(res, 400, 'Chunk past the total', 'invalid')
  if (!last && body.length % UNIT !== 0) {
    return jsonError(res, 400, 'Chunk not a multiple of 256 KiB', 'invalid')
  }
  let keep = body.length
  if (s.name.includes('keep-half')) keep = Math.floor(body.length / 2 / UNIT) * UNIT || body.length
  s.chunks.push(body.subarray(0, keep))
  s.persisted += keep
  if (total >= 0 && s.persisted === total) return finish(res, bucket, s, id)
  incomplete(res, s)
}

function token(req, res, body) {
  const form = new URLSearchParams(body.toString())
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
  sendJson(res, ok ? 200 : 400, ok
    ? { access_token: TOKEN, expires_in: 3599, token_type: 'Bearer' }
    : { error: 'invalid_grant' })
}

function route(req, res, body) {
  if (req.method === 'POST' && req.url === '/token') return token(req, res, body)
  const qi = req.url.indexOf('?')
  const path = qi < 0 ? req.url : req.url.slice(0, qi)
  const m = /^\/(upload\/)?storage\/v1\/b\/([^/]+)\/o(?:\/([^/]*))?$/.exec(path)
  if (m === null) {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'Content-Type': 'application/xml' })
      return res.end('<?xml version="1.0"?><Error><Code>AuthenticationRequired</Code>' +
        '<Message>bad or no token</Message></Error>')
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
    return res.end(`object ${decodeURIComponent(path)}`)
  }
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    return jsonError(res, 401, 'Invalid Credentials', 'authError',
      { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' })
  }
  const q = parseQuery(qi < 0 ? '' : req.url.slice(qi + 1))
  const bucket = decodeStrict(m[2])
  if (q === null || bucket === null) return jsonError(res, 400, 'URL not percent-encoded', 'invalid')
  if (!buckets.has(bucket)) return jsonError(res, 404, 'The specified bucket does not exist.', 'notFound')
  if (m[1]) {
    if (m[3] !== undefined) return jsonError(res, 404, 'Not found', 'notFound')
    return upload(req, res, bucket, q, body)
  }
  if (m[3] === undefined) {
    if (req.method !== 'GET') return jsonError(res, 405, 'Method not allowed', 'invalid')
    return list(res, bucket, q)
  }
  const name = decodeStrict(m[3])
  if (name === null || name === '') return jsonError(res, 400, 'Object name not percent-encoded', 'invalid')
  object(req, res, bucket, name, q, body)
}

const server = http.createServer((req, res) => {
  const parts = []
  req.on('data', (d) => parts.push(d))
  req.on('end', () => route(req, res, Buffer.concat(parts)))
})
server.keepAliveTimeout = 5000
server.listen(Number(port), '127.0.0.1', () => console.log('ready'))
process.on('SIGTERM', () => process.exit(0))
