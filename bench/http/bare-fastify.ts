/**
 * The baseline of the HTTP bench: a bare Fastify route in its own process
 * that parses the same body and answers like the service's PUT, with no
 * validation, no store. Prints its port on stdout.
 */
import Fastify from 'fastify';

const app = Fastify({ bodyLimit: 1024 * 1024 });
let position = 0;
app.put('/v1/accounts/:accountId/contacts/:contactId', async (request) => {
  const body = request.body as { email?: unknown };
  if (typeof body?.email !== 'string') throw Object.assign(new Error('email'), { statusCode: 400 });
  return { position: String(++position) };
});
app.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  const address = app.server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
