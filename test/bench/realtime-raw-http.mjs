/**
 * The raw `node:http` baseline of the query load in `npm run bench:realtime`, in its own process like
 * the raw `ws` one: a server on 127.0.0.1 that answers every POST, once its body is read, with the
 * same bytes (`{ body }` sent over the IPC channel: a Patchbay answer of the query measured), so that
 * the same paced sender on the same machine shows what HTTP on loopback costs without Patchbay.
 * Answers `{ port }` once listening.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import process from 'node:process';

let answer = Buffer.from('{}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length }).end(answer));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', ({ body }) => {
  answer = Buffer.from(body);
  process.send({ ready: true });
});
process.on('disconnect', () => process.exit(0));
