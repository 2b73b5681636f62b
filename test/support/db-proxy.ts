// A TCP proxy between the app and MariaDB that the test controls: `pass` forwards everything;
// `cut-setup` lets a new connection through the handshake and authentication, then cuts both sides
// when the client sends its first command (the pool's set-up queries): a database that disappears
// while a connection is being opened, on demand rather than by the luck of a kill's timing.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface DbProxy {
  port: number;
  mode: 'pass' | 'cut-setup';
  /** Connections cut during their set-up so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** MySQL packets: 3-byte length, 1-byte sequence id; a command starts a new sequence (id 0). */
const isCommand = (chunk: Buffer) => chunk.length >= 5 && chunk[3] === 0;

export async function startDbProxy(target: { host: string; port: number }): Promise<DbProxy> {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const proxy: DbProxy = {
    port: 0,
    mode: 'pass',
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const cutOnCommand = proxy.mode === 'cut-setup';
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => {
      if (cutOnCommand && isCommand(chunk)) {
        cuts += 1;
        end();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
