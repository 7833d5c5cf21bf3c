#!/usr/bin/env node
// A fast SMSC peer for the benchmarks, on the third-party node-smpp server (npm `smpp`): the SMPP codec
// and server are node-smpp's, this file only answers.
//
//     node bench/node_smsc/smsc.js [--port 0] [--control-port 0] [--system-id ID] [--password PW]
//                                  [--no-receipts] [--receipt-delay MS]
//
// Accepts bind_transceiver/transmitter/receiver whose password is --password (or $SLL_SIM_PASSWORD; any
// password when neither is set) and, with --system-id, whose system_id is that; answers enquire_link and
// unbind; answers every submit_sm at once with a hex message_id and, when registered_delivery asks, sends
// a DELIVRD receipt deliver_sm (at once, or --receipt-delay MS later; esm_class 0x04, the text form plus
// the receipted_message_id and message_state TLVs) to the bind that submitted (a transmitter's receipt
// goes to a receiver of the same system_id). POST /mo pushes MO texts to the receiving binds, round robin, `window` unanswered at once
// (or paced at `rate` a second). Prints `port <smpp> <control>` once listening; runs until killed.
//
// Control (JSON over HTTP on 127.0.0.1:<control>):
//   GET  /stats            counters, and the process's CPU since the last reset a message
//   GET  /submits?since=N  the submit_sm received from the N-th on: destination_addr, received_at (epoch s)
//   GET  /mos?since=N      the MO pushed from the N-th on: source_addr, text, pushed_at, acked_at, status
//   POST /mo               {phones, texts, count, window, rate, destination}: the i-th MO is
//                          phones[i % P] texting texts[floor(i / P) % T]; answers at once, the push runs on
//   POST /reset            counters, logs and the CPU baseline back to zero
'use strict';

const http = require('http');
const smpp = require('smpp');

const ESME_ROK = 0x00, ESME_RBINDFAIL = 0x0d, ESME_RINVPASWD = 0x0e, ESME_RINVSYSID = 0x0f, ESME_RINVBNDSTS = 0x04;
const DELIVRD = 2;
const SMSC_DELIVERY_RECEIPT = 0x04;

function options(argv) {
  const opts = {port: 0, control: 0, systemId: null, password: process.env.SLL_SIM_PASSWORD || null,
                receipts: true, receiptDelay: 0};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--control-port') opts.control = Number(argv[++i]);
    else if (a === '--system-id') opts.systemId = argv[++i];
    else if (a === '--password') opts.password = argv[++i];
    else if (a === '--no-receipts') opts.receipts = false;
    else if (a === '--receipt-delay') opts.receiptDelay = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const opts = options(process.argv.slice(2));
const now = () => (performance.timeOrigin + performance.now()) / 1000;

let stats, submits, mos, cpuBase, nextId = 0;
function reset() {
  stats = {submits: 0, receipts_sent: 0, receipts_acked: 0, mo_pushed: 0, mo_acked: 0, mo_lost: 0,
           mo_statuses: {}, binds_refused: 0};
  submits = [];
  mos = [];
  cpuBase = process.cpuUsage();
}
reset();

// Writes of one turn of the event loop leave in one system call: a burst of resps and receipts is corked
// until the turn ends (node-smpp writes each PDU on its own).
function send(session, pdu, onResp) {
  const sock = session.socket;
  if (!session.corked) {
    session.corked = true;
    sock.cork();
    process.nextTick(() => { session.corked = false; sock.uncork(); });
  }
  return session.send(pdu, onResp);
}

// The receipts' dates, YYMMDDhhmm, recomputed at most once a second.
let dateAt = 0, dateText = '';
function receiptDate() {
  const ms = Date.now();
  if (ms - dateAt >= 1000) {
    const d = new Date(ms), p = (n) => String(n).padStart(2, '0');
    dateText = p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) +
      p(d.getUTCMinutes());
    dateAt = ms;
  }
  return dateText;
}

const bound = new Set();              // sessions past their bind
const receivers = [];                 // bound sessions that take deliver_sm (receiver, transceiver)
let rr = 0;

function receiverFor(systemId) {
  const same = receivers.filter((s) => s.systemId === systemId);
  return same.length ? same[rr++ % same.length] : null;
}

function onBind(session, pdu, kind) {
  if (bound.has(session)) {
    send(session, pdu.response({command_status: ESME_RINVBNDSTS}));
    return;
  }
  let status = ESME_ROK;
  if (opts.systemId !== null && pdu.system_id !== opts.systemId) status = ESME_RINVSYSID;
  else if (opts.password !== null && pdu.password !== opts.password) status = ESME_RINVPASWD;
  if (status !== ESME_ROK) {
    stats.binds_refused++;
    send(session, pdu.response({command_status: status}));
    return;
  }
  session.systemId = pdu.system_id;
  session.kind = kind;
  session.outstanding = 0;            // MO deliver_sm of this bind without a resp
  bound.add(session);
  if (kind !== 'transmitter') receivers.push(session);
  send(session, pdu.response({system_id: 'NODESMSC'}));
}

function forget(session) {
  if (!bound.delete(session)) return;
  const at = receivers.indexOf(session);
  if (at >= 0) receivers.splice(at, 1);
  if (session.outstanding) {          // MOs that will never be answered: free their window slots
    stats.mo_lost += session.outstanding;
    push.inflight -= session.outstanding;
    session.outstanding = 0;
    pump();
  }
}

function onSubmit(session, pdu) {
  if (!bound.has(session) || session.kind === 'receiver') {
    send(session, pdu.response({command_status: ESME_RINVBNDSTS}));
    return;
  }
  const id = (++nextId).toString(16).toUpperCase().padStart(8, '0');
  stats.submits++;
  submits.push({destination_addr: pdu.destination_addr, received_at: now()});
  send(session, pdu.response({message_id: id}));
  if (!opts.receipts || !(pdu.registered_delivery & 0x03)) return;
  const target = session.kind === 'transceiver' ? session : receiverFor(session.systemId);
  if (target === null) return;
  const sm = pdu.short_message;
  const text = (sm && typeof sm.message === 'string' ? sm.message : '').slice(0, 20);
  const date = receiptDate();
  const receipt = new smpp.PDU('deliver_sm', {
    source_addr_ton: pdu.dest_addr_ton, source_addr_npi: pdu.dest_addr_npi, source_addr: pdu.destination_addr,
    dest_addr_ton: pdu.source_addr_ton, dest_addr_npi: pdu.source_addr_npi, destination_addr: pdu.source_addr,
    esm_class: SMSC_DELIVERY_RECEIPT, data_coding: 0,
    short_message: Buffer.from(`id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:DELIVRD ` +
                               `err:000 text:${text}`, 'latin1'),
    receipted_message_id: id, message_state: DELIVRD});
  const deliver = () => {
    stats.receipts_sent++;
    send(target, receipt, () => { stats.receipts_acked++; });
  };
  if (opts.receiptDelay > 0) setTimeout(deliver, opts.receiptDelay); else deliver();
}

// The bulk MO push: one at a time, so at most `window` are unanswered (or one every 1/rate s).
const push = {queue: null, next: 0, inflight: 0, window: 50, timer: null};
const encoded = new Map();            // text -> its GSM 7-bit bytes (node-smpp's codec), computed once

function gsm(text) {
  let bytes = encoded.get(text);
  if (bytes === undefined) {
    bytes = Buffer.from(smpp.encodings.ASCII.encode(text));
    encoded.set(text, bytes);
  }
  return bytes;
}

function pushOne() {
  const q = push.queue, i = push.next;
  if (!receivers.length) return false;
  const session = receivers[rr++ % receivers.length];
  const phone = q.phones[i % q.phones.length], text = q.texts[Math.floor(i / q.phones.length) % q.texts.length];
  const record = {source_addr: phone, text, pushed_at: now(), acked_at: null, status: null};
  mos.push(record);
  push.next++;
  push.inflight++;
  session.outstanding++;
  stats.mo_pushed++;
  send(session, new smpp.PDU('deliver_sm', {
    source_addr_ton: 1, source_addr_npi: 1, source_addr: phone, dest_addr_ton: 0, dest_addr_npi: 1,
    destination_addr: q.destination, data_coding: 0, short_message: gsm(text)}), (resp) => {
    record.acked_at = now();
    record.status = resp.command_status;
    stats.mo_statuses[resp.command_status] = (stats.mo_statuses[resp.command_status] || 0) + 1;
    stats.mo_acked++;
    session.outstanding--;
    push.inflight--;
    pump();
  });
  return true;
}

function pump() {
  if (push.queue === null || push.queue.rate) return;
  while (push.next < push.queue.count && push.inflight < push.window && pushOne()) { /* fill the window */ }
}

function paced() {
  const q = push.queue;
  const due = Math.min(q.count, Math.floor((now() - q.started) * q.rate) + 1);
  while (push.next < due && pushOne()) { /* catch up */ }
  if (push.next < q.count) {
    push.timer = setTimeout(paced, Math.max(0, (push.next / q.rate - (now() - q.started)) * 1000));
  }
}

function startPush(body) {
  const phones = body.phones, texts = body.texts;
  if (!Array.isArray(phones) || !phones.length || !Array.isArray(texts) || !texts.length) {
    throw new Error('a push needs phones and texts, non-empty lists');
  }
  if (!receivers.length) throw new Error('no receiver or transceiver is bound');
  if (push.queue !== null && push.next < push.queue.count) throw new Error('a push is still running');
  const count = body.count === undefined ? phones.length : body.count;
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  clearTimeout(push.timer);
  push.queue = {phones: phones.map(String), texts: texts.map(String), count, rate: Number(body.rate) || 0,
                destination: String(body.destination || '8085'), started: now()};
  push.next = 0;
  push.window = Math.max(1, Number(body.window) || 50);
  const first = mos.length;
  if (push.queue.rate) paced(); else pump();
  return {count, first_mo: first, submits_since: stats.submits};
}

function cpu() {
  const used = process.cpuUsage(cpuBase);
  const ms = (used.user + used.system) / 1000;
  const messages = stats.submits + stats.mo_pushed;
  return {cpu_ms: ms, messages, cpu_ms_per_message: messages ? ms / messages : null};
}

const routes = {
  'GET /stats': () => ({...stats, binds: bound.size, receivers: receivers.length,
                        push_left: push.queue ? push.queue.count - push.next : 0, ...cpu()}),
  'GET /submits': (q) => ({submits: submits.slice(Number(q.get('since') || 0)), next: submits.length}),
  'GET /mos': (q) => ({mos: mos.slice(Number(q.get('since') || 0)), next: mos.length}),
  'POST /mo': (q, body) => startPush(body),
  'POST /reset': () => { reset(); return {reset: true}; },
};

function control(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    const route = routes[`${req.method} ${url.pathname.replace(/\/$/, '') || '/'}`];
    let status = 200, out;
    try {
      if (!route) { status = 404; out = {error: 'no such route'}; }
      else out = route(url.searchParams, chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {});
    } catch (e) {
      status = 400;
      out = {error: e.message};
    }
    res.writeHead(status, {'Content-Type': 'application/json'});
    res.end(JSON.stringify(out));
  });
}

const server = smpp.createServer((session) => {
  session.socket.setNoDelay(true);
  session.on('bind_transceiver', (pdu) => onBind(session, pdu, 'transceiver'));
  session.on('bind_transmitter', (pdu) => onBind(session, pdu, 'transmitter'));
  session.on('bind_receiver', (pdu) => onBind(session, pdu, 'receiver'));
  session.on('enquire_link', (pdu) => send(session, pdu.response()));
  session.on('submit_sm', (pdu) => onSubmit(session, pdu));
  session.on('unbind', (pdu) => { forget(session); send(session, pdu.response()); session.close(); });
  session.on('unknown', (pdu) => send(session, pdu.response()));
  session.on('close', () => forget(session));
  session.on('error', () => { forget(session); session.destroy(); });
});

const web = http.createServer(control);
server.listen(opts.port, '127.0.0.1', () => {
  web.listen(opts.control, '127.0.0.1', () => {
    process.stdout.write(`port ${server.address().port} ${web.address().port}\n`);
  });
});

function stop() {
  const c = cpu();
  process.stderr.write(`node SMSC: ${stats.submits} submits, ${stats.mo_pushed} MO, ` +
                       `${c.cpu_ms_per_message === null ? '-' : c.cpu_ms_per_message.toFixed(3)} ms CPU a message\n`);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
