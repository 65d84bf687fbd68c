// The HTTP floor: a bare node:http server answering 200 with an empty body to every request.
//   node bench/servers/http-noop.mjs PORT
import { createServer } from 'node:http';

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-length': '0' }).end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
