import { describe, expect, it } from 'vitest';
import { callsOf, outcomeOf, parseSippMessages } from '../helpers/sipp.js';

const SEP = (t: string) => `----------------------------------------------- 2026-12-01 ${t}`;
/** One message of a SIPp trace as SIPp writes it, with its separator line, its direction and its start line. */
const message = (head: string) => (t: string, start: string, callId: string, cseq: string) =>
  [SEP(t), head, '', start, `Call-ID: ${callId}`, `CSeq: ${cseq}`, 'Content-Length: 0', '', ''].join('\n');
const sent = message('UDP message sent (300 bytes):');
const received = message('UDP message received [300] bytes :');

const trace = [
  sent('10:00:00.000000', 'INVITE sip:service@127.0.0.1:5060 SIP/2.0', 'a', '1 INVITE'),
  received('10:00:00.010000', 'SIP/2.0 100 Trying', 'a', '1 INVITE'),
  received('10:00:00.020000', 'SIP/2.0 200 OK', 'a', '1 INVITE'),
  sent('10:00:00.030000', 'ACK sip:service@127.0.0.1:5060 SIP/2.0', 'a', '1 ACK'),
  sent('10:00:00.200000', 'INVITE sip:service@127.0.0.1:5060 SIP/2.0', 'b', '1 INVITE'),
  received('10:00:00.210000', 'SIP/2.0 503 Service Unavailable', 'b', '1 INVITE'),
  sent('10:00:00.400000', 'INVITE sip:service@127.0.0.1:5060 SIP/2.0', 'c', '1 INVITE'),
  sent('10:00:00.900000', 'INVITE sip:service@127.0.0.1:5060 SIP/2.0', 'c', '1 INVITE'),
  sent('10:00:01.000000', 'BYE sip:service@127.0.0.1:5060 SIP/2.0', 'a', '2 BYE'),
  received('10:00:01.010000', 'SIP/2.0 200 OK', 'a', '2 BYE'),
  sent('10:00:01.100000', 'INVITE sip:service@127.0.0.1:5060 SIP/2.0', 'd', '1 INVITE'),
  received('10:00:01.120000', 'SIP/2.0 200 OK', 'd', '1 INVITE'),
  sent('10:00:02.100000', 'BYE sip:service@127.0.0.1:5060 SIP/2.0', 'd', '2 BYE'),
].join('');

describe('the SIPp message trace', () => {
  const sut = callsOf(parseSippMessages(trace));

  it('gives one call per Call-ID, in the order the INVITEs first went out', () => {
    expect(sut.map((c) => c.callId)).toEqual(['a', 'b', 'c', 'd']);
    expect(sut[2]!.invitedAt).toEqual(new Date(2026, 11, 1, 10, 0, 0, 400));
  });

  it('tells completed, refused, unanswered and dropped calls apart', () => {
    expect(sut.map(outcomeOf)).toEqual(['completed', 'refused', 'unanswered', 'dropped']);
  });

  it('keeps the final answer to the INVITE and when it came', () => {
    expect(sut[0]).toMatchObject({ finalStatus: 200, answeredAt: new Date(2026, 11, 1, 10, 0, 0, 20), byeStatus: 200 });
    expect(sut[1]).toMatchObject({ finalStatus: 503, answeredAt: null });
  });
});
