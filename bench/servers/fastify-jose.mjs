// What a user could write by hand: a forward-auth endpoint on fastify 5 + jose 6 with a remote
// JWK set, checking issuer and audience, answering 200 with the subject or 401.
//   node bench/servers/fastify-jose.mjs PORT ISSUER AUDIENCE JWKS_URI
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [port, issuer, audience, jwksUri] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUri));
const app = Fastify({ logger: false });

app.all('/*', async (request, reply) => {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  if (match === null) return reply.code(401).send();
  try {
    const { payload } = await jwtVerify(match[1], jwks, {
      issuer,
      audience,
      algorithms: ['RS256'],
    });
    return reply.header('x-auth-subject', payload.sub).code(200).send();
  } catch {
    return reply.code(401).send();
  }
});

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
