'use strict';
/**
 * The SIP side of the demo PBX: a user agent server on one UDP socket that answers every call.
 * OPTIONS → 200; INVITE → 100, 180, then 200 with a minimal SDP after the ring time; ACK ends the
 * 200's retransmissions; BYE → 200; CANCEL → 200, and 487 for the ringing INVITE. A retransmitted
 * request gets the last response again (transactions keyed by the Via branch), never a second call.
 * While draining, new INVITEs and OPTIONS get 503 with Retry-After; calls in progress go on.
 *
 * Bad input is bounded: datagrams beyond a per-second budget are dropped unread, oversized ones get
 * 513 (or are dropped when they cannot be answered), malformed ones 400 or nothing, transactions
 * and calls are capped and expire. No media is sent: the SDP only completes the offer/answer.
 */
const dgram = require('node:dgram');
const { parse, respond, header, addressOf, newTag } = require('./sip-message.cjs');

const T1_MS = 500;
const T2_MS = 4000;
/** Timer H/J (64·T1): how long a transaction, and a 200 waiting for its ACK, are kept. */
const TRANSACTION_MS = 64 * T1_MS;
const MAX_TRANSACTIONS = 4096;
const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS';

/**
 * options: host, port (0 = any), store (sip-calls.cjs), log, ringMs (INVITE to 200), retryAfterS
 * (the 503's Retry-After), maxDatagramBytes, maxPerSecond (datagrams read per second), maxCalls
 * (calls at once; one more gets 486 Busy Here).
 */
function createSipServer(options) {
  const { host, store, log, ringMs, retryAfterS, maxDatagramBytes, maxPerSecond, maxCalls } = options;
  const socket = dgram.createSocket('udp4');
  /** transaction key → { response: Buffer | null, expiresAt } */
  const transactions = new Map();
  /** Call-ID → { rowId, state: 'ringing' | 'answered' | 'confirmed', toTag, invite, inviteKey, rinfo, timers } */
  const calls = new Map();
  let draining = false;
  let budget = { second: 0, used: 0 };
  let sweeper = null;
  let port = null;

  function send(buf, rinfo) {
    socket.send(buf, rinfo.port, rinfo.address);
  }

  /** RFC 3261 §17.2.3: the branch (magic cookie) names the transaction; ACK shares the INVITE's. */
  function transactionKey(request) {
    const method = request.method === 'ACK' ? 'INVITE' : request.method;
    return request.branch?.startsWith('z9hG4bK') ? `${request.branch}|${method}` : `${request.callId}|${request.cseq}|${method}`;
  }

  function remember(key, response) {
    transactions.delete(key);
    transactions.set(key, { response, expiresAt: Date.now() + TRANSACTION_MS });
    // Map order is insertion order: the first entry is the oldest.
    if (transactions.size > MAX_TRANSACTIONS) transactions.delete(transactions.keys().next().value);
  }

  function reply(request, key, rinfo, status, opts) {
    const response = respond(request, status, opts);
    remember(key, response);
    send(response, rinfo);
  }

  function sweep() {
    const now = Date.now();
    for (const [key, t] of transactions) if (t.expiresAt <= now) transactions.delete(key);
  }

  function withinBudget() {
    const second = Math.floor(Date.now() / 1000);
    if (budget.second !== second) budget = { second, used: 0 };
    return ++budget.used <= maxPerSecond;
  }

  function callOf(request) {
    return {
      callId: request.callId.slice(0, 256),
      caller: addressOf(header(request, 'from')),
      callee: addressOf(header(request, 'to')),
    };
  }

  function finish(callId, reason) {
    const call = calls.get(callId);
    if (!call) return;
    for (const timer of Object.values(call.timers)) clearTimeout(timer);
    calls.delete(callId);
    store.end(call.rowId, reason);
  }

  function sdp() {
    return [
      'v=0',
      `o=pbx ${port} 1 IN IP4 127.0.0.1`,
      's=Patchbay demo PBX',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${port + 2} RTP/AVP 0`,
      'a=rtpmap:0 PCMU/8000',
      '',
    ].join('\r\n');
  }

  function answer(call) {
    const ok = respond(call.invite, 200, {
      toTag: call.toTag,
      extra: [
        ...(call.invite.headers.get('record-route') ?? []).map((rr) => ['Record-Route', rr]),
        ['Contact', `<sip:pbx@${host}:${port}>`],
        ['Allow', ALLOW],
        ['Content-Type', 'application/sdp'],
      ],
      body: sdp(),
    });
    call.state = 'answered';
    store.answer(call.rowId);
    remember(call.inviteKey, ok);
    send(ok, call.rinfo);
    // §13.3.1.4: the 200 is resent, T1 doubling up to T2, until the ACK comes, for 64·T1 at most.
    let interval = T1_MS;
    const resend = () => {
      send(ok, call.rinfo);
      interval = Math.min(interval * 2, T2_MS);
      call.timers.retransmit = setTimeout(resend, interval);
    };
    call.timers.retransmit = setTimeout(resend, interval);
    call.timers.ack = setTimeout(() => finish(call.invite.callId, 'timeout'), TRANSACTION_MS);
  }

  function onInvite(request, key, rinfo) {
    const existing = calls.get(request.callId);
    if (request.toTag) {
      // A re-INVITE within a call: the same answer again; outside any call there is nothing to renew.
      if (!existing || existing.state === 'ringing') return reply(request, key, rinfo, 481);
      return reply(request, key, rinfo, 200, {
        extra: [
          ['Contact', `<sip:pbx@${host}:${port}>`],
          ['Content-Type', 'application/sdp'],
        ],
        body: sdp(),
      });
    }
    // The same call again under a new branch, not a retransmission: a merged request (§8.2.2.2).
    if (existing) return reply(request, key, rinfo, 482);
    if (draining) {
      store.refuse(callOf(request));
      return reply(request, key, rinfo, 503, { toTag: newTag(), extra: [['Retry-After', String(retryAfterS)]] });
    }
    if (calls.size >= maxCalls) {
      store.refuse(callOf(request));
      return reply(request, key, rinfo, 486, { toTag: newTag() });
    }
    const call = {
      rowId: store.begin(callOf(request)),
      state: 'ringing',
      toTag: newTag(),
      invite: request,
      inviteKey: key,
      rinfo,
      timers: {},
    };
    calls.set(request.callId, call);
    reply(request, key, rinfo, 100);
    reply(request, key, rinfo, 180, { toTag: call.toTag, extra: [['Contact', `<sip:pbx@${host}:${port}>`]] });
    call.timers.ring = setTimeout(() => answer(call), ringMs);
  }

  function onAck(request) {
    const call = calls.get(request.callId);
    if (!call || call.state !== 'answered') return; // the ACK of a 4xx/5xx, or a late duplicate
    call.state = 'confirmed';
    clearTimeout(call.timers.retransmit);
    clearTimeout(call.timers.ack);
  }

  /** The ringing INVITE's final answer when the caller gave up: 487 Request Terminated. */
  function terminateInvite(call) {
    const terminated = respond(call.invite, 487, { toTag: call.toTag });
    remember(call.inviteKey, terminated);
    send(terminated, call.rinfo);
  }

  function onCancel(request, key, rinfo) {
    const call = calls.get(request.callId);
    const inviteKey = transactionKey({ ...request, method: 'INVITE' });
    if (!call || call.inviteKey !== inviteKey) return reply(request, key, rinfo, 481);
    reply(request, key, rinfo, 200, { toTag: call.toTag });
    if (call.state !== 'ringing') return; // already answered: the CANCEL changes nothing (§9.2)
    terminateInvite(call);
    finish(request.callId, 'cancel');
  }

  function onBye(request, key, rinfo) {
    const call = calls.get(request.callId);
    if (!call) return reply(request, key, rinfo, 481);
    reply(request, key, rinfo, 200);
    if (call.state === 'ringing') {
      // A BYE before the answer still ends the INVITE's transaction (§15.1.2).
      terminateInvite(call);
    }
    finish(request.callId, 'bye');
  }

  function onRequest(request, rinfo) {
    const key = transactionKey(request);
    if (request.method === 'ACK') return onAck(request);
    const known = transactions.get(key);
    if (known) {
      // A retransmission: the last response again (none yet: the first copy is still being handled).
      if (known.response) send(known.response, rinfo);
      return;
    }
    remember(key, null);
    switch (request.method) {
      case 'INVITE':
        return onInvite(request, key, rinfo);
      case 'CANCEL':
        return onCancel(request, key, rinfo);
      case 'BYE':
        return onBye(request, key, rinfo);
      case 'OPTIONS':
        if (draining) return reply(request, key, rinfo, 503, { toTag: newTag(), extra: [['Retry-After', String(retryAfterS)]] });
        return reply(request, key, rinfo, 200, {
          toTag: newTag(),
          extra: [
            ['Allow', ALLOW],
            ['Accept', 'application/sdp'],
          ],
        });
      default:
        return reply(request, key, rinfo, 405, { toTag: newTag(), extra: [['Allow', ALLOW]] });
    }
  }

  function onDatagram(buf, rinfo) {
    if (!withinBudget()) return;
    const parsed = parse(buf);
    if (parsed.kind === 'response' || parsed.kind === 'garbage') return;
    if (buf.length > maxDatagramBytes) return send(respond(parsed.request, 513), rinfo);
    if (parsed.kind === 'bad') return send(respond(parsed.request, 400), rinfo);
    onRequest(parsed.request, rinfo);
  }

  socket.on('message', (buf, rinfo) => {
    try {
      onDatagram(buf, rinfo);
    } catch (err) {
      // One datagram that trips the PBX must not stop it answering the next.
      log('sip-error', { error: err.message, from: `${rinfo.address}:${rinfo.port}` });
    }
  });
  socket.on('error', (err) => log('sip-socket-error', { error: err.message }));

  return {
    /** Binds the socket; resolves with the port. */
    listen: () =>
      new Promise((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(options.port, host, () => {
          socket.off('error', reject);
          port = socket.address().port;
          sweeper = setInterval(sweep, 1000);
          resolve(port);
        });
      }),
    /** Stops answering; every call in progress ends as dropped. Returns how many. */
    close() {
      clearInterval(sweeper);
      for (const call of calls.values()) for (const timer of Object.values(call.timers)) clearTimeout(timer);
      calls.clear();
      socket.close();
      return store.dropAll();
    },
    activeCalls: () => calls.size,
    isDraining: () => draining,
    setDraining(on) {
      draining = on;
    },
  };
}

module.exports = { createSipServer };
