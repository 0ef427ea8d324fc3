/**
 * A TCP proxy that adds latency: every chunk is passed on `delayMs / 2` after it arrived, in
 * each direction, so a request and its answer cost `delayMs` more (a cloud vCenter is further
 * away than localhost). Order within a connection is kept; TLS passes through untouched, so
 * the server's certificate (and its pinned thumbprint) is the lab's own.
 */
'use strict';
const net = require('node:net');
const { setTimeout } = require('node:timers');

/** Pipes `from` to `to`, each chunk delayed by `ms`. */
function delayedPipe(from, to, ms) {
  const queue = [];
  let ended = false;
  const flush = () => {
    const now = Date.now();
    while (queue.length > 0 && queue[0].at <= now) to.write(queue.shift().chunk);
    if (queue.length > 0) setTimeout(flush, queue[0].at - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk) => {
    queue.push({ chunk, at: Date.now() + ms });
    if (queue.length === 1) setTimeout(flush, ms);
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0) to.end();
  });
}

/** Starts the proxy on 127.0.0.1 (a free port); resolves with its port and close(). */
function startLatencyProxy({ host, port, delayMs }) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, delayMs / 2);
    delayedPipe(upstream, client, delayMs / 2);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

module.exports = { startLatencyProxy };
