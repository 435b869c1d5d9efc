'use strict';
/**
 * SIP messages of the demo PBX (RFC 3261 over UDP): one datagram parsed into a request, and the
 * responses built from it. Deliberately small: it reads the headers a response must copy (Via, From,
 * To, Call-ID, CSeq) and the few it needs (Content-Length, the Via branch), and says why when a
 * datagram is not a request it can answer, so that the server answers 400 or drops it.
 */
const crypto = require('node:crypto');

/** RFC 3261 §7.3.3 compact header forms, for the headers this PBX reads. */
const COMPACT = { v: 'via', f: 'from', t: 'to', i: 'call-id', l: 'content-length', m: 'contact', c: 'content-type' };
/** Without these a response cannot be formed (§8.2.6.2): a request lacking one is dropped, not answered. */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];
const MAX_HEADER_LINES = 100;

const REASONS = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  486: 'Busy Here',
  487: 'Request Terminated',
  503: 'Service Unavailable',
  513: 'Message Too Large',
};

/**
 * Parses one datagram. Returns `{ kind: 'response' }` for a SIP response (this PBX sends no requests,
 * so it has nothing to match one to), `{ kind: 'request', request }` for a well-formed request,
 * `{ kind: 'bad', reason, request }` for a request that can be answered with 400 (`request` holds
 * what a response copies), and `{ kind: 'garbage', reason }` for anything else.
 */
function parse(buf) {
  const text = buf.toString('latin1');
  const split = /\r?\n\r?\n/.exec(text);
  if (!split) return { kind: 'garbage', reason: 'no end of headers' };
  const lines = text.slice(0, split.index).split(/\r?\n/);
  const bodyStart = split.index + split[0].length;
  const startLine = lines.shift();
  if (/^SIP\/2\.0 \d{3} /.test(startLine)) return { kind: 'response' };
  const start = /^([A-Z]{1,32}) (\S{1,1024}) SIP\/2\.0$/.exec(startLine);
  if (!start) return { kind: 'garbage', reason: 'not a SIP request line' };
  if (lines.length > MAX_HEADER_LINES) return { kind: 'garbage', reason: 'too many header lines' };

  const headers = new Map();
  let last = null;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      // A folded line continues the previous header's last value (§7.3.1).
      const values = headers.get(last);
      values[values.length - 1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!/^[a-z0-9!%'*+._`~-]+$/.test(name)) return { kind: 'garbage', reason: 'malformed header line' };
    last = COMPACT[name] ?? name;
    if (!headers.has(last)) headers.set(last, []);
    headers.get(last).push(line.slice(colon + 1).trim());
  }

  const request = { method: start[1], uri: start[2], headers, body: '' };
  const missing = COPIED.filter((h) => !headers.get(h)?.[0]);
  if (missing.length) return { kind: 'garbage', reason: `missing ${missing.join(', ')}` };
  const bad = (reason) => ({ kind: 'bad', reason, request });

  const cseq = /^(\d{1,10})\s+([A-Z]+)$/.exec(header(request, 'cseq'));
  if (!cseq) return bad('malformed CSeq');
  if (cseq[2] !== request.method) return bad('CSeq method differs from the request method');
  request.cseq = Number(cseq[1]);

  // latin1 maps one byte to one character: the offset in the text is the offset in the datagram.
  const body = buf.subarray(bodyStart);
  const declared = headers.get('content-length')?.[0];
  if (declared !== undefined) {
    if (!/^\d{1,6}$/.test(declared)) return bad('malformed Content-Length');
    if (Number(declared) > body.length) return bad('body shorter than its Content-Length');
    request.body = body.subarray(0, Number(declared)).toString('utf8');
  } else {
    request.body = body.toString('utf8');
  }

  request.callId = header(request, 'call-id');
  const branch = /;\s*branch=([^;,\s]+)/i.exec(headers.get('via')[0]);
  request.branch = branch ? branch[1] : null;
  request.toTag = tagOf(header(request, 'to'));
  return { kind: 'request', request };
}

function header(request, name) {
  return request.headers.get(name)?.[0] ?? '';
}

function tagOf(value) {
  const m = /;\s*tag=([^;\s]+)/i.exec(value);
  return m ? m[1] : null;
}

/** The addr-spec of a From or To value (`"Anna" <sip:101@pbx>;tag=1` → `sip:101@pbx`), bounded. */
function addressOf(value) {
  const m = /<([^>]*)>/.exec(value);
  return (m ? m[1] : value.split(';')[0]).trim().slice(0, 256);
}

function newTag() {
  return crypto.randomBytes(6).toString('hex');
}

/**
 * A response to `request`: every Via in order, From, To (with `toTag` added when it has none),
 * Call-ID, CSeq, then `extra` headers (`[name, value]` pairs), and Content-Length of `body`.
 */
function respond(request, status, { toTag = null, extra = [], body = '' } = {}) {
  const to = header(request, 'to');
  const lines = [`SIP/2.0 ${status} ${REASONS[status]}`];
  for (const via of request.headers.get('via')) lines.push(`Via: ${via}`);
  lines.push(`From: ${header(request, 'from')}`);
  lines.push(`To: ${toTag && !tagOf(to) ? `${to};tag=${toTag}` : to}`);
  lines.push(`Call-ID: ${header(request, 'call-id')}`);
  lines.push(`CSeq: ${header(request, 'cseq')}`);
  for (const [name, value] of extra) lines.push(`${name}: ${value}`);
  lines.push('Server: Patchbay demo PBX');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

module.exports = { parse, respond, header, addressOf, newTag };
