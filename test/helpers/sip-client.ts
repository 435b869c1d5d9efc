/**
 * A raw SIP peer for tests on node:dgram: it writes requests byte by byte (well-formed, or not at
 * all) and collects what the PBX answers, so that a test can check each header it copies back.
 */
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';

export interface SipResponse {
  status: number;
  /** Header name in lower case → its values in order. */
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

export interface RequestOptions {
  callId: string;
  cseq?: number;
  branch?: string;
  fromTag?: string;
  toTag?: string;
  body?: string;
  /** Further Via lines, above this client's own. */
  proxies?: string[];
}

function parseResponse(raw: string): SipResponse | null {
  const m = /^SIP\/2\.0 (\d{3}) [^\r\n]*\r\n/.exec(raw);
  if (!m) return null;
  const end = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string[]>();
  for (const line of raw.slice(m[0].length, end).split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), headers, body: raw.slice(end + 4), raw };
}

export class SipTestClient {
  private readonly received: SipResponse[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
    private readonly serverPort: number,
  ) {
    socket.on('message', (buf) => {
      const response = parseResponse(buf.toString('latin1'));
      if (response) this.received.push(response);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(serverPort: number): Promise<SipTestClient> {
    const socket = dgram.createSocket('udp4');
    return new Promise((resolve) =>
      socket.bind(0, '127.0.0.1', () => resolve(new SipTestClient(socket, socket.address().port, serverPort))),
    );
  }

  send(datagram: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(datagram, this.serverPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  /** A request as a phone would write it, to this client's PBX. */
  request(method: string, o: RequestOptions): string {
    const body = o.body ?? '';
    return [
      `${method} sip:200@127.0.0.1:${this.serverPort} SIP/2.0`,
      ...(o.proxies ?? []).map((via) => `Via: ${via}`),
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${o.branch ?? `z9hG4bK-${randomUUID()}`};rport`,
      'Max-Forwards: 70',
      `From: "Anna Keller" <sip:101@127.0.0.1:${this.port}>;tag=${o.fromTag ?? 'anna-1'}`,
      `To: <sip:200@127.0.0.1:${this.serverPort}>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq ?? 1} ${method === 'ACK' ? 'ACK' : method}`,
      `Contact: <sip:101@127.0.0.1:${this.port}>`,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  /** Waits for a response with this Call-ID (and CSeq method) and status; the ones before it stay readable. */
  async expect(callId: string, status: number, method?: string, timeoutMs = 3000): Promise<SipResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.responses(callId, method).find((r) => r.status === status);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.responses(callId).map((r) => `${r.status} ${r.headers.get('cseq')?.[0]}`);
        throw new Error(`no ${status} for ${callId} within ${timeoutMs} ms (got: ${seen.join(', ') || 'nothing'})`);
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Every response received so far for this Call-ID (and CSeq method), in order. */
  responses(callId: string, method?: string): SipResponse[] {
    return this.received.filter(
      (r) => r.headers.get('call-id')?.[0] === callId && (!method || r.headers.get('cseq')?.[0]?.endsWith(` ${method}`)),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The tag the PBX put in a response's To header (which the ACK and BYE of that call carry). */
export function toTagOf(response: SipResponse): string {
  const tag = /;tag=([^;]+)/.exec(response.headers.get('to')?.[0] ?? '')?.[1];
  if (!tag) throw new Error(`no To tag in:\n${response.raw}`);
  return tag;
}
