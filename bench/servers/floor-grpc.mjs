// The gRPC framework floor: a bare @grpc/grpc-js server on pps-gate's protos whose Check answers a
// fixed allow (pps-gate's own allow for the bench request, so both encode the same message) and
// verifies nothing.   node bench/servers/floor-grpc.mjs PORT RESPONSE_JSON_FILE
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { loadAuthorization } from '../lib/grpc-messages.mjs';

const [port, responseFile] = process.argv.slice(2);
const response = JSON.parse(readFileSync(responseFile, 'utf8'));
const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
server.addService(loadAuthorization().service, {
  Check(_call, callback) {
    callback(null, response);
  },
});
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  process.stdout.write('ready\n');
});
