#!/usr/bin/env python3
"""hubpub - paced publisher for bench/hub.sh.

Publishes COUNT events at RATE events/s on an absolute schedule. Event SEQ
has topic index K = SEQ mod TOPICS, topic TOPIC(K) (hub.sh's scheme, below),
and data "TS SEQ K" (TS: CLOCK_REALTIME ns taken just before the write), so
that sseload -E can check by topic what the hub delivers without a topic on
the wire.

  hubpub.py fifo:PATH COUNT RATE [--topic]   write to a channel's fifo:
        'data: ...' (a plain channel), with --topic preceded by 'topic: T'
  hubpub.py http://127.0.0.1:PORT/PATH COUNT RATE TOKEN
        POST the form topic=T&data=... (keep-alive, one request at a time)

Last line: PUBRESULT published=N errors=E elapsed_s=S
"""
import http.client
import os
import sys
import time
import urllib.parse

TOPICS = 100


def topic(k):
    # topic K: exact selectors name it, the template
    # https://example.com/t/{x}/gG matches the ten with K mod 10 = G
    return f"https://example.com/t/{k}/g{k % 10}"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    target, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    extra = sys.argv[4] if len(sys.argv) > 4 else ""
    errors = 0
    if target.startswith("fifo:"):
        fd = os.open(target[5:], os.O_WRONLY)

        def send(seq, k, ts):
            head = f"topic: {topic(k)}\n" if extra == "--topic" else ""
            os.write(fd, f"{head}data: {ts} {seq} {k}\n\n".encode())
            return True
    elif target.startswith("http://"):
        u = urllib.parse.urlsplit(target)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        hdrs = {"Content-Type": "application/x-www-form-urlencoded",
                "Authorization": f"Bearer {extra}"}

        def send(seq, k, ts):
            body = urllib.parse.urlencode({"topic": topic(k), "data": f"{ts} {seq} {k}"})
            conn.request("POST", u.path, body, hdrs)
            r = conn.getresponse()
            r.read()
            return r.status == 200
    else:
        sys.exit("hubpub: target must be fifo:PATH or http://...")
    t0 = time.monotonic()
    for seq in range(count):
        if rate > 0:
            delay = t0 + seq / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        if not send(seq, seq % TOPICS, time.time_ns()):
            errors += 1
    print(f"PUBRESULT published={count - errors} errors={errors} "
          f"elapsed_s={time.monotonic() - t0:.3f}", flush=True)


if __name__ == "__main__":
    main()
