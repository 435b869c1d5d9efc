/** Loopback ports nothing listens on (just freed): for "unreachable" cases, or to hand a program. */
import dgram from 'node:dgram';
import net from 'node:net';

export function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A loopback UDP port nothing is bound to (just freed): for a SIP client or server under test. */
export function unusedUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
