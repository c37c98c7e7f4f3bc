// azure-mkcontainer.js ENDPOINT CONTAINER: creates a container on Azurite
// (ENDPOINT like http://127.0.0.1:10000/devstoreaccount1) with the
// well-known development account, signing the request with Shared Key
// (Node's crypto: an implementation independent of ours).  Exit 0 when
// created or already there.
const crypto = require('crypto')
const http = require('http')

const account = 'devstoreaccount1'
const key = Buffer.from(
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  'base64')
const [endpoint, container] = process.argv.slice(2)
const url = new URL(`${endpoint}/${container}?restype=container`)
const date = new Date().toUTCString()
const version = '2021-08-06'
const sts = ['PUT', '', '', '', '', '', '', '', '', '', '', '',
  `x-ms-date:${date}`, `x-ms-version:${version}`,
  `/${account}${url.pathname}\nrestype:container`].join('\n')
const sig = crypto.createHmac('sha256', key).update(sts, 'utf8').digest('base64')
const req = http.request(url, {
  method: 'PUT',
  headers: {
    'x-ms-date': date,
    'x-ms-version': version,
    'Content-Length': 0,
    Authorization: `SharedKey ${account}:${sig}`,
  },
}, (res) => {
  let body = ''
  res.on('data', (d) => { body += d })
  res.on('end', () => {
    if (res.statusCode === 201 || res.statusCode === 409) process.exit(0)
    console.error(`azure-mkcontainer: HTTP ${res.statusCode} ${body}`)
    process.exit(1)
  })
})
req.on('error', (e) => { console.error(`azure-mkcontainer: ${e.message}`); process.exit(1) })
req.end()
