#!/usr/bin/env python3
"""The checks of one round of the crash harness (test/harden/crash.sh).

usage: crash-check.py WORK ROUND

WORK holds, per channel CH:
  log/CH            `logtool verify` of the channel: "ID TAG SEQ" per
                    retained event (verify already checked every event is
                    intact and the ids strictly increasing)
  ack/CH.TAG        "ack ID TAG SEQ" lines (the library, sse-publish DATA)
  raw/CH.TAG        ids printed by `sse-publish --raw`: the k-th is event k
  wrote/CH.TAG      "wrote TAG SEQ": a drop-box file renamed into incoming/
                    (published exactly once), or an event written into the
                    pipe (FIFO: present at most once; present when its tag
                    is listed in WORK/must/CH, written while no holder was
                    killed and drained by a holder that ended normally)
and per client WORK/cl/ID/: "chan", and its connections of this round
conn.NNNNN (the bytes received: the CGI head, then the stream) with
conn.NNNNN.sent (the Last-Event-ID sent, empty for none).

Events of a tag starting with M (logtool publish) carry topics, and those of
seq % 6 in (2, 4) are private (test/tools/metarule.h): `logtool verify`
checked each record, and a channel URL must never send a private event, so
the holes between received ids are counted without them.

Checks: acknowledged events present with their id, ids never given twice;
drop-box files published once; no event twice in a log; per client every
event intact (tag, seq, length, crc; and the log's event of that id), ids
strictly increasing across reconnects, each reconnect sent the last id
dispatched, and no hole between consecutive received ids (ids that exist
between them: retained, acknowledged or received by anyone) that an
`event: sse-gap` "LAST OLDEST" just before does not cover; an end that gives
a client without an id its resume point does so by `event: sse-resume` (data:
the id), never by an id line alone.
State between rounds (cumulative figures, acknowledged ids, each client's
last id) is kept in WORK/check.state. Prints "check KEY=VALUE..." and every
violation (at most 20 of each kind); exit 1 on any violation."""
import bisect
import glob
import os
import pickle
import re
import sys
import zlib

work, rnd = sys.argv[1], sys.argv[2]
state_file = os.path.join(work, "check.state")
if os.path.exists(state_file):
    with open(state_file, "rb") as f:
        S = pickle.load(f)
else:
    S = {"acked": {}, "clients": {}, "n": dict.fromkeys(
        ("readers", "events", "acked", "clients", "reconnects", "gaps_announced", "lost", "dup", "torn",
         "unannounced_holes", "wrong_gap", "bad", "dropbox", "fifo_must", "meta_acked", "meta_received"), 0)}
N = S["n"]
shown = {}


def bad(kind, msg):
    N[kind] += 1
    shown[kind] = shown.get(kind, 0) + 1
    if shown[kind] <= 20:
        print("round %s: %s: %s" % (rnd, kind, msg))


def private(tag, seq):
    return tag.startswith("M") and seq % 6 in (2, 4)


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    # a SIGKILL may cut the last line: only whole lines count
    return data.split(b"\n")[:-1]


# --- the logs ----------------------------------------------------------------
logs = {}      # ch -> {id: (tag, seq)}
for path in glob.glob(os.path.join(work, "log", "*")):
    ch = os.path.basename(path)
    m = {}
    seen = {}
    for ln in lines_of(path):
        i, tag, seq = ln.decode().split(" ")
        m[int(i)] = (tag, int(seq))
        if (tag, seq) in seen:
            bad("dup", "%s: event %s %s in the log twice (ids %s and %s)" % (ch, tag, seq, seen[(tag, seq)], i))
        seen[(tag, seq)] = i
    logs[ch] = m
oldest = {ch: (min(m) if m else 0) for ch, m in logs.items()}
by_tag = {}    # ch -> {(tag, seq): id}
for ch, m in logs.items():
    by_tag[ch] = {v: k for k, v in m.items()}


def ch_tag(path):
    ch, tag = os.path.basename(path).split(".", 1)
    return ch, tag


def with_meta(tag, seq):
    return tag.startswith("M") and seq % 6 not in (0, 5)


def acked(ch, i, tag, seq, how):
    N["acked"] += 1
    N["meta_acked"] += with_meta(tag, seq)
    prev = S["acked"].setdefault(ch, {}).get(i)
    if prev is not None and prev != (tag, seq):
        bad("dup", "%s: id %d acknowledged twice: %s %d and %s %d" % (ch, i, prev[0], prev[1], tag, seq))
    S["acked"][ch][i] = (tag, seq)
    got = logs[ch].get(i)
    if got == (tag, seq):
        return
    if got is None and i < oldest[ch]:
        return  # past the channel's history: present once, trimmed since
    bad("lost", "%s: %s event %s %d acknowledged with id %d, the log has %s there" % (ch, how, tag, seq, i, got))


for path in glob.glob(os.path.join(work, "ack", "*")):
    ch, _ = ch_tag(path)
    for ln in lines_of(path):
        f = ln.decode().split(" ")
        if len(f) == 4 and f[0] == "ack":
            acked(ch, int(f[1]), f[2], int(f[3]), "published")
for path in glob.glob(os.path.join(work, "raw", "*")):
    ch, tag = ch_tag(path)
    for k, ln in enumerate(lines_of(path)):
        acked(ch, int(ln), tag, k, "sse-publish --raw")
for path in glob.glob(os.path.join(work, "wrote", "*")):
    ch, tag = ch_tag(path)
    must_path = os.path.join(work, "must", ch)
    must = tag.startswith("D") or (os.path.exists(must_path) and tag in open(must_path).read().split())
    for ln in lines_of(path):
        f = ln.decode().split(" ")
        if len(f) != 3 or not must:
            continue
        N["dropbox" if tag.startswith("D") else "fifo_must"] += 1
        if (f[1], int(f[2])) not in by_tag[ch]:
            bad("lost", "%s: event %s %s written (%s) but not in the log" %
                (ch, f[1], f[2], "drop-box" if tag.startswith("D") else "fifo"))

# --- the clients --------------------------------------------------------------
exists = {}    # ch -> sorted ids known to exist
for ch, m in logs.items():
    exists[ch] = {i for i, v in m.items() if not private(*v)}
    exists[ch] |= {i for i, v in S["acked"].get(ch, {}).items() if not private(*v)}
LINE = re.compile(rb"\r\n|\r|\n")


def parse(body, last_id):
    """WHATWG event-stream interpretation of one connection's body: the
    dispatched events as (type, data, last_id, had_id); last_id starts at
    the one the client had (as browsers do); an unterminated event is
    dropped."""
    out = []
    parts = LINE.split(body)
    parts.pop()  # after the last line end: an unterminated line, or b""
    data, etype, idbuf, had_id, has_data = [], b"", last_id, False, False
    for ln in parts:
        if ln == b"":
            if has_data:
                out.append((etype or b"message", b"\n".join(data), idbuf, had_id))
            elif had_id:
                out.append((None, None, idbuf, True))  # an id alone: lastEventId
            data, etype, had_id, has_data = [], b"", False, False
            continue
        if ln.startswith(b":"):
            continue
        name, sep, value = ln.partition(b":")
        if sep and value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            data.append(value)
            has_data = True
        elif name == b"event":
            etype = value
        elif name == b"id":
            if b"\0" not in value:
                idbuf, had_id = value, True
        elif name == b"retry":
            pass
        else:
            bad("bad", "unexpected line %r" % ln[:80])
    return out


clients = sorted(glob.glob(os.path.join(work, "cl", "*")))
received = []  # (client, ch, conn, events) to check once every received id is known
for cdir in clients:
    cid = os.path.basename(cdir)
    ch = open(os.path.join(cdir, "chan")).read().strip()
    conns = sorted(p for p in glob.glob(os.path.join(cdir, "conn.*")) if not p.endswith(".sent"))
    received.append((cid, ch, conns))
parsed = {}
for cid, ch, conns in received:
    st = S["clients"].setdefault(cid, {"last": None, "gap": None, "conns": 0})
    last = st["last"]
    lst = []
    for c in conns:
        sent = open(c + ".sent").read().strip()
        if sent != ("" if last is None else str(last)):
            bad("bad", "client %s %s sent Last-Event-ID '%s', its last id was %s" % (cid, os.path.basename(c), sent, last))
        with open(c, "rb") as f:
            raw = f.read()
        head_end = raw.find(b"\r\n\r\n")
        body = b""
        if head_end >= 0:
            if not raw.startswith(b"Status: 200 OK\r\nContent-Type: text/event-stream\r\n"):
                bad("bad", "client %s %s: not a 200 event stream: %r" % (cid, os.path.basename(c), raw[:80]))
            body = raw[head_end + 4:]
        evs = parse(body, None if last is None else str(last).encode())
        for e in evs:
            if e[2] not in (None, b""):
                try:
                    last = int(e[2])
                except ValueError:
                    bad("bad", "client %s: id %r" % (cid, e[2][:40]))
            if e[0] == b"message" and e[3]:
                exists[ch].add(int(e[2]))
        lst.append((c, evs))
    parsed[cid] = lst

sorted_ids = {ch: sorted(e) for ch, e in exists.items()}
for cid, ch, conns in received:
    st = S["clients"][cid]
    N["readers"] += len(conns)
    N["clients"] += st["conns"] == 0 and len(conns) > 0
    N["reconnects"] += len(conns) - (st["conns"] == 0 and len(conns) > 0)
    st["conns"] += len(conns)
    ids = sorted_ids[ch]
    a, gap = st["last"], st["gap"]
    for c, evs in parsed[cid]:
        where = "client %s (%s) %s" % (cid, ch, os.path.basename(c))
        for etype, data, lid, had_id in evs:
            if etype == b"sse-gap":
                N["gaps_announced"] += 1
                f = data.split(b" ")
                if len(f) != 2 or int(f[0]) != (a or 0):
                    bad("wrong_gap", "%s: sse-gap '%s' after id %s" % (where, data.decode(), a))
                    continue
                gap = int(f[1])
                continue
            if etype is None:  # an id alone: npm's eventsource and eventsource-client lose it
                bad("bad", "%s: an id alone (%s) after id %s: no sse-resume" % (where, lid.decode(errors="replace"), a))
                continue
            if etype == b"sse-resume":  # the resume point of a client without an id, at an end
                b = int(lid)
                if a is not None or data != lid:
                    bad("bad", "%s: sse-resume '%s' with id %d after id %s" % (where, data.decode(errors="replace"), b, a))
                a, gap = b, None
                continue
            N["events"] += 1
            if etype != b"message" or not had_id:
                bad("bad", "%s: event '%s' %s after id %s" % (where, etype.decode(errors="replace"),
                                                              "with an id" if had_id else "without an id", a))
                continue
            b = int(lid)
            f = data.split(b" ", 4)
            try:
                tag, seq, ln, crc, payload = f[0].decode(), int(f[1]), int(f[2]), int(f[3]), f[4]
                whole = len(payload) == ln and zlib.crc32(payload) == crc
            except (IndexError, ValueError):
                whole = False
            if not whole:
                bad("torn", "%s: id %d: '%s'" % (where, b, data[:80].decode(errors="replace")))
            elif b in logs[ch] and logs[ch][b] != (tag, seq):
                bad("torn", "%s: id %d is %s %d, the log has %s" % (where, b, tag, seq, logs[ch][b]))
            elif private(tag, seq):
                bad("bad", "%s: id %d is the private event %s %d" % (where, b, tag, seq))
            else:
                N["meta_received"] += with_meta(tag, seq)
            if a is not None:
                if b <= a:
                    bad("dup", "%s: id %d after %d" % (where, b, a))
                    continue
                lo = a
                if gap is not None:
                    if b < gap:
                        bad("wrong_gap", "%s: sse-gap said the oldest is %d, then id %d came" % (where, gap, b))
                    lo = max(a, gap - 1)
                k = bisect.bisect_right(ids, lo)
                if k < len(ids) and ids[k] < b:
                    missing = bisect.bisect_left(ids, b) - k
                    bad("unannounced_holes", "%s: id %d after %d (%s), %d existing id(s) between, first %d"
                        % (where, b, a, "sse-gap %d" % gap if gap else "no sse-gap", missing, ids[k]))
            a, gap = b, None
    st["last"], st["gap"] = a, gap

with open(state_file + ".tmp", "wb") as f:
    pickle.dump(S, f)
os.replace(state_file + ".tmp", state_file)
print("check " + " ".join("%s=%d" % kv for kv in N.items()))
sys.exit(1 if any(N[k] for k in ("lost", "dup", "torn", "unannounced_holes", "wrong_gap", "bad")) else 0)
