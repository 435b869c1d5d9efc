/** A loopback port nothing listens on (just freed): for "unreachable" cases, or to hand a program. */
import net from 'node:net';

export function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
