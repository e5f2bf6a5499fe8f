'use strict';
// A minimal Lambda Runtime API client for the Node peers, so they are driven exactly like our Rust functions:
// process start -> load the handler module (init) -> GET .../next -> handler(event) -> POST .../response, in a
// loop. BENCH_HANDLER is the module's path (handler.js with node_modules beside it, or the esbuild bundle).
// The real Lambda Node runtime does the same with more code of its own, so its init is if anything longer.
const http = require('http');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, route, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: `/2018-06-01/runtime${route}`, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

let handler;
try {
  handler = require(process.env.BENCH_HANDLER).handler;
} catch (err) {
  call('POST', '/init/error', JSON.stringify({ errorType: err.name, errorMessage: err.message }))
    .finally(() => process.exit(1));
  return;
}

(async () => {
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    try {
      const response = await handler(JSON.parse(next.body));
      await call('POST', `/invocation/${id}/response`, JSON.stringify(response));
    } catch (err) {
      await call('POST', `/invocation/${id}/error`, JSON.stringify({ errorType: err.name, errorMessage: err.message }));
    }
  }
})();
