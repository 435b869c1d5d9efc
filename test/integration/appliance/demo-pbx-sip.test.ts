/**
 * The demo PBX's SIP, spoken to byte by byte over UDP on loopback: what it answers, what it copies
 * back, how it records calls, drains, and keeps answering through malformed, oversized and
 * flooding datagrams. The PBX runs as the real child process Patchbay starts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { ChildProcessAppliance } from '../../../server/adapters/appliance/child-process-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../../../server/adapters/appliance/demo-installer.js';
import { SipTestClient, toTagOf } from '../../helpers/sip-client.js';
import { until } from '../../helpers/until.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

interface SipCallRow {
  call_id: string;
  caller: string;
  callee: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

const SDP_OFFER = 'v=0\r\no=anna 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';

describe('the demo PBX over SIP', () => {
  let root: string;
  let sut: ChildProcessAppliance;
  let client: SipTestClient;

  async function startPbx(env: Record<string, string> = {}) {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-sip-'));
    const layout = new ApplianceLayout(root);
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    sut = new ChildProcessAppliance({ layout, nodePath: NODE_MODULES, env: { PBX_CALL_INTERVAL_MS: '0', ...env }, stopTimeoutMs: 5000 });
    await sut.start();
    client = await SipTestClient.open(sut.sipPort!);
    return layout;
  }

  function sipCalls(): SipCallRow[] {
    const db = new Database(path.join(root, 'data', 'calls.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM sip_calls ORDER BY id').all() as SipCallRow[];
    } finally {
      db.close();
    }
  }

  async function answeredCall(callId: string) {
    await client.send(client.request('INVITE', { callId, body: SDP_OFFER }));
    const ok = await client.expect(callId, 200, 'INVITE');
    const toTag = toTagOf(ok);
    await client.send(client.request('ACK', { callId, toTag }));
    return toTag;
  }

  afterEach(async () => {
    await client?.close();
    await sut?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('OPTIONS', () => {
    it('answers 200, copying every Via, From, To with a tag added, Call-ID and CSeq', async () => {
      await startPbx();
      const proxy = 'SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-proxy-1';
      await client.send(client.request('OPTIONS', { callId: 'options-1', cseq: 7, proxies: [proxy] }));
      const ok = await client.expect('options-1', 200);
      expect(ok.headers.get('via')).toEqual([
        proxy,
        expect.stringMatching(new RegExp(`^SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bK-`)),
      ]);
      expect(ok.headers.get('from')).toEqual([`"Anna Keller" <sip:101@127.0.0.1:${client.port}>;tag=anna-1`]);
      expect(ok.headers.get('to')![0]).toMatch(new RegExp(`^<sip:200@127.0.0.1:${sut.sipPort}>;tag=\\w+$`));
      expect(ok.headers.get('call-id')).toEqual(['options-1']);
      expect(ok.headers.get('cseq')).toEqual(['7 OPTIONS']);
      expect(ok.headers.get('allow')).toEqual(['INVITE, ACK, BYE, CANCEL, OPTIONS']);
      expect(ok.headers.get('content-length')).toEqual(['0']);
    });
  });

  describe('INVITE', () => {
    it('rings and answers with an SDP; the call is active until the BYE, which ends its record', async () => {
      await startPbx();
      await client.send(client.request('INVITE', { callId: 'call-1', body: SDP_OFFER }));
      await client.expect('call-1', 100);
      const ringing = await client.expect('call-1', 180);
      const ok = await client.expect('call-1', 200, 'INVITE');
      expect(ok.headers.get('to')).toEqual(ringing.headers.get('to'));
      expect(ok.headers.get('content-type')).toEqual(['application/sdp']);
      expect(ok.body).toContain('c=IN IP4 127.0.0.1\r\n');
      expect(ok.body).toMatch(/\r\nm=audio \d+ RTP\/AVP 0\r\n/);
      expect(Number(ok.headers.get('content-length')![0])).toBe(Buffer.byteLength(ok.body));
      const toTag = toTagOf(ok);
      await client.send(client.request('ACK', { callId: 'call-1', toTag }));
      expect(await sut.calls.activeCalls()).toBe(1);

      await client.send(client.request('BYE', { callId: 'call-1', cseq: 2, toTag }));
      await client.expect('call-1', 200, 'BYE');
      expect(await sut.calls.activeCalls()).toBe(0);
      expect(sipCalls()).toEqual([
        expect.objectContaining({
          call_id: 'call-1',
          caller: `sip:101@127.0.0.1:${client.port}`,
          callee: `sip:200@127.0.0.1:${sut.sipPort}`,
          answered_at: expect.any(String),
          ended_at: expect.any(String),
          end_reason: 'bye',
        }),
      ]);
    });

    it('answers a retransmitted INVITE with its last response again, and records one call', async () => {
      await startPbx({ PBX_SIP_RING_MS: '10000' });
      const invite = client.request('INVITE', { callId: 'retrans-1', branch: 'z9hG4bK-retrans-1', body: SDP_OFFER });
      await client.send(invite);
      await client.expect('retrans-1', 180);
      await client.send(invite);
      const statuses = await until(
        () => client.responses('retrans-1').map((r) => r.status),
        (s) => s.length >= 3,
      );
      expect(statuses).toEqual([100, 180, 180]);
      expect(sipCalls()).toHaveLength(1);
      expect(await sut.calls.activeCalls()).toBe(1);
    });

    it('resends the 200 until the ACK comes', async () => {
      await startPbx();
      await client.send(client.request('INVITE', { callId: 'no-ack-1', body: SDP_OFFER }));
      const oks = await until(
        () => client.responses('no-ack-1', 'INVITE').filter((r) => r.status === 200).length,
        (n) => n >= 2,
      );
      expect(oks).toBeGreaterThanOrEqual(2);
    });

    it('refuses one call more than its lines with 486 Busy Here and records it as refused', async () => {
      await startPbx({ PBX_SIP_MAX_CALLS: '2', PBX_SIP_RING_MS: '10000' });
      for (const id of ['busy-1', 'busy-2', 'busy-3']) await client.send(client.request('INVITE', { callId: id, body: SDP_OFFER }));
      await client.expect('busy-3', 486);
      expect(await sut.calls.activeCalls()).toBe(2);
      expect(sipCalls().map((c) => c.end_reason)).toEqual([null, null, 'refused']);
    });
  });

  describe('CANCEL', () => {
    it('answers 200 and ends the ringing INVITE with 487; the call is recorded as cancelled', async () => {
      await startPbx({ PBX_SIP_RING_MS: '10000' });
      const branch = 'z9hG4bK-cancel-1';
      await client.send(client.request('INVITE', { callId: 'cancel-1', branch, body: SDP_OFFER }));
      await client.expect('cancel-1', 180);
      await client.send(client.request('CANCEL', { callId: 'cancel-1', branch }));
      await client.expect('cancel-1', 200, 'CANCEL');
      await client.expect('cancel-1', 487, 'INVITE');
      expect(await sut.calls.activeCalls()).toBe(0);
      expect(sipCalls()).toEqual([expect.objectContaining({ answered_at: null, end_reason: 'cancel' })]);
    });

    it('answers 481 to a CANCEL that matches no INVITE', async () => {
      await startPbx();
      await client.send(client.request('CANCEL', { callId: 'nothing-1' }));
      await client.expect('nothing-1', 481);
    });
  });

  describe('BYE', () => {
    it('answers 481 to a BYE for a call it does not have', async () => {
      await startPbx();
      await client.send(client.request('BYE', { callId: 'unknown-1', cseq: 2, toTag: 'x' }));
      await client.expect('unknown-1', 481);
    });
  });

  describe('draining', () => {
    it('refuses new INVITEs and OPTIONS with 503 and Retry-After while the active call goes on to its BYE', async () => {
      await startPbx();
      const toTag = await answeredCall('held-1');
      await sut.calls.drain();

      await client.send(client.request('OPTIONS', { callId: 'drain-options' }));
      expect((await client.expect('drain-options', 503)).headers.get('retry-after')).toEqual(['60']);
      await client.send(client.request('INVITE', { callId: 'drain-invite', body: SDP_OFFER }));
      expect((await client.expect('drain-invite', 503)).headers.get('retry-after')).toEqual(['60']);
      expect(await sut.calls.activeCalls()).toBe(1);

      await client.send(client.request('BYE', { callId: 'held-1', cseq: 2, toTag }));
      await client.expect('held-1', 200, 'BYE');
      expect(sipCalls().map((c) => [c.call_id, c.end_reason])).toEqual([
        ['held-1', 'bye'],
        ['drain-invite', 'refused'],
      ]);

      await sut.calls.undrain();
      await client.send(client.request('OPTIONS', { callId: 'after-undrain' }));
      await client.expect('after-undrain', 200);
    });

    it('does not survive a restart: a fresh start answers calls, on the same SIP port', async () => {
      await startPbx();
      const sipPort = sut.sipPort;
      await sut.calls.drain();
      await sut.stop();
      expect(sut.sipPort).toBeNull();
      await sut.start();
      expect(sut.sipPort).toBe(sipPort);
      await client.send(client.request('OPTIONS', { callId: 'after-restart' }));
      await client.expect('after-restart', 200);
    });
  });

  describe('stopping', () => {
    it('records the calls in progress at a SIGTERM as dropped', async () => {
      await startPbx();
      await answeredCall('dropped-1');
      await sut.stop();
      expect(sipCalls()).toEqual([expect.objectContaining({ call_id: 'dropped-1', end_reason: 'dropped', ended_at: expect.any(String) })]);
    });
  });

  describe('bad input', () => {
    it('answers 400 to a request it can answer but not accept (a CSeq that is not one)', async () => {
      await startPbx();
      await client.send(client.request('OPTIONS', { callId: 'bad-cseq' }).replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'));
      await client.expect('bad-cseq', 400);
    });

    it('answers 513 to an oversized request, and drops oversized garbage', async () => {
      await startPbx();
      const big = client
        .request('OPTIONS', { callId: 'too-big' })
        .replace('Max-Forwards: 70', `Subject: ${'x'.repeat(5000)}\r\nMax-Forwards: 70`);
      await client.send(big);
      await client.expect('too-big', 513);
      await client.send(Buffer.alloc(60_000, 0x41));
      await client.send(client.request('OPTIONS', { callId: 'after-big' }));
      await client.expect('after-big', 200);
    });

    it('keeps answering after malformed datagrams and a flood, with nothing recorded and nothing crashed', async () => {
      await startPbx({ PBX_SIP_MAX_PER_SECOND: '500' });
      const malformed = [
        Buffer.from([0, 1, 2, 3, 255, 254]),
        '\r\n\r\n',
        'INVITE\r\n\r\n',
        'INVITE sip:200@x SIP/2.0\r\nVia SIP/2.0/UDP 127.0.0.1\r\n\r\n',
        'INVITE sip:200@x SIP/2.0\r\nCall-ID: no-via\r\n\r\n',
        client.request('INVITE', { callId: 'short-body', body: SDP_OFFER }).replace(/Content-Length: \d+/, 'Content-Length: 9999'),
        client.request('INVITE', { callId: 'bad-length', body: SDP_OFFER }).replace(/Content-Length: \d+/, 'Content-Length: -1'),
        `OPTIONS sip:200@x SIP/2.0\r\n${'X-A: b\r\n'.repeat(200)}\r\n`,
        'SIP/2.0 200 OK\r\nCall-ID: stray\r\n\r\n',
      ];
      for (const datagram of malformed) await client.send(datagram);
      for (let i = 0; i < 3000; i++) void client.send(`GARBAGE ${i} ${'\u00ff'.repeat(i % 700)}`);
      for (let i = 0; i < 300; i++) void client.send(client.request('INVITE', { callId: `flood-${i}`, body: SDP_OFFER }).slice(0, 100));

      // The flood spends this second's budget: the first OPTIONS may go unread, a later one not.
      let answered = false;
      for (let attempt = 0; attempt < 8 && !answered; attempt++) {
        await client.send(client.request('OPTIONS', { callId: `alive-${attempt}` }));
        answered = await client.expect(`alive-${attempt}`, 200, 'OPTIONS', 500).then(
          () => true,
          () => false,
        );
      }
      expect(answered).toBe(true);
      expect(sut.isRunning()).toBe(true);
      expect(sipCalls()).toEqual([]);
      expect(client.responses('short-body').map((r) => r.status)).toEqual([400]);
    });
  });
});
