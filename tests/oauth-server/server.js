// A real OAuth 2.0 authorization server for the end-to-end tests: oidc-provider
// on loopback, PKCE S256 required, refresh tokens rotated on every use.
//
//   node server.js <port>
//
// Redirect URIs: http://127.0.0.1:<any port>/callback/<connection> (each
// connection has its own callback path; the port is free for native apps,
// RFC 8252 §7.3). Clients: "ibridge-confidential" (client_secret_post, secret
// "test-client-secret") and "ibridge-public" (no secret).
// GET /__stats answers {"refresh_grants": n, "refresh_requests": n, "code_grants": n,
// "token_requests": n, "grant_errors": [...], "issued_tokens": [...]}: successful
// refresh grants, refresh_token grant requests answered (granted or refused),
// every token endpoint request, and every access and refresh token value issued.
// POST /__revoke revokes every grant and refresh token issued so far, as a user
// removing the app's access would.
// IBRIDGE_TEST_TOKEN_DELAY_MS=n holds each token request n ms before answering,
// so that racing clients overlap.
// Prints "ready <issuer>" on stdout once listening.

import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.js <port>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// The tests' connection names are not known here: one registered URI, and
// any /callback/<name> path on the loopback IP literal accepted below.
const redirectUris = ['http://127.0.0.1/callback/ado'];
const loopbackCallback = /^http:\/\/127\.0\.0\.1(:\d+)?\/callback\/[A-Za-z0-9._~%-]+$/;

const apiScopes = [
  'read:confluence-content.all', 'write:confluence-content', 'read:confluence-space.summary',
  'search:confluence', 'read:me', 'useraccount',
  '499b84ac-1321-427f-aa17-267ca6975798/.default',
];

const clientBase = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: redirectUris,
  application_type: 'native',
};

const provider = new Provider(issuer, {
  cookies: { keys: ['test-only-cookie-signing-key'] },
  clients: [
    { ...clientBase, client_id: 'ibridge-confidential', client_secret: 'test-client-secret', token_endpoint_auth_method: 'client_secret_post' },
    { ...clientBase, client_id: 'ibridge-public', token_endpoint_auth_method: 'none' },
  ],
  pkce: { required: () => true, methods: ['S256'] },
  scopes: ['openid', 'offline_access', ...apiScopes],
  rotateRefreshToken: true,
  issueRefreshToken: async () => true,
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:ibridge:test-api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: apiScopes.join(' '), accessTokenFormat: 'opaque', accessTokenTTL: 3600 }),
    },
  },
  ttl: { AccessToken: 3600, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600, AuthorizationCode: 60 },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
});
provider.proxy = false;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  return loopbackCallback.test(value);
};

const stats = {
  refresh_grants: 0, refresh_requests: 0, code_grants: 0, token_requests: 0, grant_errors: [], issued_tokens: [],
};
const tokenDelayMs = Number(process.env.IBRIDGE_TEST_TOKEN_DELAY_MS || 0);
const refreshTokens = [];
// Opaque token values are their jti: kept so tests can scan for plaintext.
provider.on('access_token.saved', (token) => { stats.issued_tokens.push(token.jti); });
provider.on('refresh_token.saved', (token) => {
  stats.issued_tokens.push(token.jti);
  refreshTokens.push({ jti: token.jti, grantId: token.grantId });
});
provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  if (type === 'refresh_token') {
    stats.refresh_grants += 1;
    stats.refresh_requests += 1;
  }
  if (type === 'authorization_code') stats.code_grants += 1;
});
provider.on('grant.error', (ctx, err) => {
  stats.grant_errors.push(`${err.error}: ${err.error_description}`);
  if (ctx.oidc?.params?.grant_type === 'refresh_token') stats.refresh_requests += 1;
});
// Every token request is counted as it arrives (success or not).
provider.use(async (ctx, next) => {
  if (ctx.path === '/token' && ctx.method === 'POST') {
    stats.token_requests += 1;
    if (tokenDelayMs > 0) await new Promise((resolve) => { setTimeout(resolve, tokenDelayMs); });
  }
  await next();
});

async function revokeEverything() {
  for (const { jti, grantId } of refreshTokens) {
    const token = await provider.RefreshToken.find(jti, { ignoreExpiration: true });
    if (token) await token.destroy();
    const grant = grantId && await provider.Grant.find(grantId);
    if (grant) await grant.destroy();
  }
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stats));
    return;
  }
  if (req.url === '/__revoke' && req.method === 'POST') {
    revokeEverything().then(() => { res.end('revoked'); }, (err) => { res.statusCode = 500; res.end(String(err)); });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
