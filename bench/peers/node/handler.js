'use strict';
// Peer for scripts/bench.sh: POST /login as a competent developer would write it on Node 20 with the modular
// AWS SDK v3. The client is built once at init (region, credentials and AWS_ENDPOINT_URL come from the
// environment, as on Lambda); each invocation is one InitiateAuth USER_PASSWORD_AUTH. Run unbundled (this file
// plus node_modules) and bundled with esbuild (the way `sam build` bundles a Node function).
const { CognitoIdentityProviderClient, InitiateAuthCommand } = require('@aws-sdk/client-cognito-identity-provider');

const client = new CognitoIdentityProviderClient({});
const clientId = process.env.USER_POOL_CLIENT_ID;

const json = (statusCode, value) => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(value),
});

exports.handler = async (event) => {
  let input;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body || '', 'base64').toString('utf8') : event.body;
    input = JSON.parse(raw || '{}');
  } catch {
    return json(400, { code: 'invalid_json', message: 'The body is not JSON.' });
  }
  const { username, password } = input;
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    return json(400, { code: 'invalid_request', message: 'username and password are required.' });
  }
  try {
    const out = await client.send(new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }));
    if (out.ChallengeName) {
      return json(200, { challenge: out.ChallengeName, session: out.Session, parameters: out.ChallengeParameters });
    }
    const r = out.AuthenticationResult;
    return json(200, {
      accessToken: r.AccessToken,
      idToken: r.IdToken,
      refreshToken: r.RefreshToken,
      expiresIn: r.ExpiresIn,
      tokenType: r.TokenType,
    });
  } catch (err) {
    if (err.name === 'NotAuthorizedException' || err.name === 'UserNotFoundException') {
      return json(401, { code: 'invalid_credentials', message: 'Incorrect username or password.' });
    }
    if (err.name === 'TooManyRequestsException') return json(429, { code: 'too_many_requests', message: err.message });
    console.error('InitiateAuth failed', err.name);
    return json(502, { code: 'upstream_error', message: 'Sign-in is unavailable.' });
  }
};
