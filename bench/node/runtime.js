'use strict';
// A tiny Lambda Runtime API client around the original library (npm cognito-user-pool@0.2.4), so that it is
// driven exactly like our Rust functions: process start -> require + construct (init) -> GET .../next ->
// handler -> POST .../response, in a loop. AWS_LAMBDA_FUNCTION_NAME picks the method: "login" -> login,
// "profile-get" -> profile. The event is an API Gateway HTTP API (2.0) event; the body is the original's
// own request shape. Installed by scripts/bench.sh into bench/.node (never committed).

const http = require('http');
const path = require('path');

const modules = process.env.BENCH_NODE_MODULES || path.join(__dirname, '..', '.node', 'node_modules');
const runtimeApi = process.env.AWS_LAMBDA_RUNTIME_API;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, route, body) {
  return new Promise((resolve, reject) => {
    const [host, port] = runtimeApi.split(':');
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

const methods = { login: 'login', 'profile-get': 'profile' };
let pool;
let method;
try {
  // What a handler module does at init: require the library and construct it once.
  const CognitoUserPool = require(path.join(modules, 'cognito-user-pool'));
  pool = CognitoUserPool({
    UserPoolId: process.env.USER_POOL_ID,
    ClientId: process.env.USER_POOL_CLIENT_ID,
    // Passed through to amazon-cognito-identity-js's CognitoUserPool, which hands it to the aws-sdk v2 client.
    endpoint: process.env.AWS_ENDPOINT_URL,
  });
  method = methods[process.env.AWS_LAMBDA_FUNCTION_NAME];
  if (!method) throw new Error(`no method for function ${process.env.AWS_LAMBDA_FUNCTION_NAME}`);
} catch (err) {
  call('POST', '/init/error', JSON.stringify({ errorType: err.name, errorMessage: err.message }))
    .finally(() => process.exit(1));
  return;
}

function json(statusCode, value) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
    isBase64Encoded: false,
  };
}

function handle(event) {
  return new Promise((resolve) => {
    let answered = false; // the original may call back twice (and may also throw): answer once
    const done = (err, data) => {
      if (answered) return;
      answered = true;
      if (err) resolve(json(400, { code: err.code || err.name, message: err.message }));
      else resolve(json(200, data));
    };
    try {
      const raw = event.isBase64Encoded ? Buffer.from(event.body || '', 'base64').toString('utf8') : event.body;
      const result = pool[method](JSON.parse(raw || '{}'), done);
      if (result && typeof result.catch === 'function') result.catch(done);
    } catch (err) {
      done(err);
    }
  });
}

(async () => {
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    let response;
    try {
      response = await handle(JSON.parse(next.body));
    } catch (err) {
      await call('POST', `/invocation/${id}/error`, JSON.stringify({ errorType: err.name, errorMessage: err.message }));
      continue;
    }
    await call('POST', `/invocation/${id}/response`, JSON.stringify(response));
  }
})();
