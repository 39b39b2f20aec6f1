// A real OAuth 2.0 authorization server for the end-to-end tests: oidc-provider
// on loopback, PKCE S256 required, refresh tokens rotated on every use.
//
//   node server.js <port>
//
// Redirect URIs: http://localhost:<p>/callback for p in 18700..18799 (the tests'
// callback ports). Clients: "ibridge-confidential" (client_secret_post, secret
// "test-client-secret") and "ibridge-public" (no secret).
// GET /__stats answers {"refresh_grants": n, "code_grants": n, "grant_errors": [...],
// "issued_tokens": [...]} (every access and refresh token value it issued).
// Prints "ready <issuer>" on stdout once listening.

import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.js <port>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const redirectUris = [];
for (let p = 18700; p < 18800; p += 1) redirectUris.push(`http://localhost:${p}/callback`);

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

const stats = { refresh_grants: 0, code_grants: 0, grant_errors: [], issued_tokens: [] };
// Opaque token values are their jti: kept so tests can scan for plaintext.
provider.on('access_token.saved', (token) => { stats.issued_tokens.push(token.jti); });
provider.on('refresh_token.saved', (token) => { stats.issued_tokens.push(token.jti); });
provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  if (type === 'refresh_token') stats.refresh_grants += 1;
  if (type === 'authorization_code') stats.code_grants += 1;
});
provider.on('grant.error', (ctx, err) => {
  stats.grant_errors.push(`${err.error}: ${err.error_description}`);
});
// Refresh requests are counted as they arrive too (success or not).
provider.use(async (ctx, next) => {
  if (ctx.path === '/token' && ctx.method === 'POST') stats.token_requests = (stats.token_requests || 0) + 1;
  await next();
});

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(stats));
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
