// Starts kinesalite (an in-memory Kinesis-compatible server) on 127.0.0.1 only.
// Usage: node server.js [port]   (port 0 = ephemeral). Prints "LISTENING <port>" when ready.
// Started by io.medallion.testkit.KinesisServer; stops when stdin closes (the parent died).
'use strict'

const db = require('kinesalite/db')
const getShardIteratorPath = require.resolve('kinesalite/actions/getShardIterator')
const original = require(getShardIteratorPath)

// kinesalite 3.3.3 never answers GetShardIterator(AT_TIMESTAMP) when no record of the shard has
// an arrival time at or after the timestamp (lazy.head waits forever). Real Kinesis returns an
// iterator at the tip then; so do we, by asking for LATEST in that case.
require.cache[getShardIteratorPath].exports = function getShardIterator(store, data, cb) {
  if (data.ShardIteratorType !== 'AT_TIMESTAMP' || data.Timestamp == null ||
      data.Timestamp * 1000 > Date.now()) {
    return original(store, data, cb)
  }
  let shardIx
  try {
    shardIx = db.resolveShardId(data.ShardId).shardIx
  } catch (e) {
    return original(store, data, cb)
  }
  let found = false
  const stream = store.getStreamDb(data.StreamName).createReadStream({
    gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1),
  })
  stream.on('data', (item) => {
    if (!found && item.value.ApproximateArrivalTimestamp >= data.Timestamp) {
      found = true
      stream.destroy()
      original(store, data, cb)
    }
  })
  stream.on('error', (err) => { if (!found) { found = true; cb(err) } })
  stream.on('end', () => {
    if (!found) {
      found = true
      original(store, Object.assign({}, data, {ShardIteratorType: 'LATEST', Timestamp: undefined}), cb)
    }
  })
}

const kinesalite = require('kinesalite')
const server = kinesalite({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100})
// kinesalite 3.3.3 throws from a request's 'error' event, so a client that disconnects before
// its request body has arrived (a Spark task interrupted by StreamingQuery.stop(), a client
// timeout) crashed the whole server ("Error: aborted", ECONNRESET) and every later call was
// refused. Real Kinesis carries on: so do we, logging the dropped request instead.
const [handler] = server.listeners('request')
server.removeAllListeners('request')
server.on('request', (req, res) => {
  const on = req.on
  req.on = function (event, listener) {
    if (event !== 'error') {
      return on.call(this, event, listener)
    }
    return on.call(this, 'error', (err) => {
      console.error('request dropped: ' + (err.code || '') + ' ' + err.message + ' (the client went away)')
    })
  }
  handler(req, res)
})
const port = parseInt(process.argv[2] || '0', 10)
server.listen(port, '127.0.0.1', (err) => {
  if (err) {
    console.error(err.stack || err)
    process.exit(1)
  }
  console.log('LISTENING ' + server.address().port)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
