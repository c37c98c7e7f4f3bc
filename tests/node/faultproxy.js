// faultproxy.js PORT TARGET_PORT ACTIONS [COUNTFILE]: an HTTP proxy on
// 127.0.0.1:PORT in front of 127.0.0.1:TARGET_PORT that spoils requests
// on purpose.  ACTIONS is a comma-separated list applied to successive
// requests, then every request passes; "forever:ACTION" applies ACTION
// to that request and all later ones.  Actions:
//   ok        pass the request through
//   500       answer 500 with an S3-style XML error
//   503       answer 503 with Retry-After: 1
//   429       answer 429 (slow down)
//   reset     close the connection without an answer
//   slow      wait 3 s, then pass through
//   cut       pass through, but close after half of the response body;
//             when the body is empty or chunked, close before the answer
//             (the request was carried out, its answer is lost)
// COUNTFILE, when given, holds the number of requests seen so far, and
// COUNTFILE.conns the number of connections accepted.
// Prints "ready" once it listens.
const http = require('http')
const fs = require('fs')

const [port, target, spec, countFile] = process.argv.slice(2)
const seq = spec.split(',')
let n = 0

function pick(i) {
  for (let j = 0; j < seq.length; j++) {
    if (seq[j].startsWith('forever:')) return seq[j].slice(8)
    if (j === i) return seq[j]
  }
  return 'ok'
}

function pass(req, res, cut) {
  const up = http.request({
    host: '127.0.0.1', port: Number(target), method: req.method,
    path: req.url, headers: req.headers,
  }, (ur) => {
    res.writeHead(ur.statusCode, ur.headers)
    if (!cut) { ur.pipe(res); return }
    const len = Number(ur.headers['content-length'] || 0)
    let sent = 0
    ur.on('data', (d) => {
      if (sent >= len / 2) return
      const part = d.subarray(0, Math.max(0, Math.ceil(len / 2) - sent))
      sent += part.length
      res.write(part)
      if (sent >= len / 2) setTimeout(() => res.socket.destroy(), 50)
    })
    // Nothing to cut in half: without this the answer would never come
    // and the client would wait for its stall timeout.
    ur.on('end', () => { if (sent === 0 && res.socket) res.socket.destroy() })
  })
  up.on('error', () => res.socket && res.socket.destroy())
  req.pipe(up)
}

const server = http.createServer((req, res) => {
  const action = pick(n)
  n++
  if (countFile) fs.writeFileSync(countFile, `${n}\n`)
  const fail = (status, code, extra) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': 'application/xml', ...extra })
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
        `<Message>injected by faultproxy</Message></Error>`)
    })
  }
  switch (action) {
    case '500': return fail(500, 'InternalError')
    case '503': return fail(503, 'SlowDown', { 'Retry-After': '1' })
    case '429': return fail(429, 'TooManyRequests')
    case 'reset': return req.socket.destroy()
    case 'slow': return setTimeout(() => pass(req, res, false), 3000)
    case 'cut': return pass(req, res, true)
    default: return pass(req, res, false)
  }
})
let conns = 0
server.on('connection', () => {
  conns++
  if (countFile) fs.writeFileSync(`${countFile}.conns`, `${conns}\n`)
})
server.keepAliveTimeout = 5000
server.listen(Number(port), '127.0.0.1', () => console.log('ready'))
process.on('SIGTERM', () => process.exit(0))
