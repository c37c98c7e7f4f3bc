// s3rver.js PORT DIR [BUCKET...]: an S3 server on 127.0.0.1:PORT that
// stores objects under DIR and verifies SigV4 signatures (access key and
// secret "S3RVER").  The package ships without its command line, so the
// tests start it through this script.  Prints "ready" once it listens.
const S3rver = require('./node_modules/@20minutes/s3rver/lib/s3rver.js')

const [port, dir, ...buckets] = process.argv.slice(2)
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory: dir,
  silent: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
})
server.run().then(() => console.log('ready'))
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close().then(() => process.exit(0)))
}
