#!/usr/bin/env python3
"""Markdown tables for one bench/run.sh result directory.

Usage: report.py RESULTDIR   (reads results.tsv, raw/LABEL/pub.out, append-rate.out)
"""
import csv
import os
import re
import statistics
import sys


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def pub_elapsed(res, label):
    try:
        with open(os.path.join(res, "raw", label, "pub.out")) as f:
            for line in f:
                if line.startswith("PUBRESULT"):
                    return float(kv(line)["elapsed_s"])
    except OSError:
        pass
    return None


def tick_cpu(res, label):
    """srvstat's own (tick-based) CPU delta for the window, from cpustat.log:
    lines are base, held, mid (memory samples) and the final -c sample."""
    try:
        with open(os.path.join(res, "raw", label, "cpustat.log")) as f:
            lines = [kv(x) for x in f if "cpu_tick_s=" in x]
    except OSError:
        return None
    if len(lines) < 4:
        return None
    return float(lines[-1]["cpu_tick_s"]) - float(lines[1]["cpu_tick_s"])


def connect_cost(res, label):
    """(seconds until all N were established, server CPU s from the base
    sample to the held sample: the cost of accepting N subscribers)."""
    ready = cpu = None
    try:
        with open(os.path.join(res, "raw", label, "load.out")) as f:
            for line in f:
                if line.startswith("RESULT"):
                    ready = float(kv(line)["ready_s"])
        with open(os.path.join(res, "raw", label, "cpustat.log")) as f:
            lines = [kv(x) for x in f if "cpu_s=" in x]
        if len(lines) >= 2:
            cpu = float(lines[1]["cpu_s"]) - float(lines[0]["cpu_s"])
    except (OSError, KeyError, ValueError):
        pass
    return ready, cpu


def ms(us):
    return f"{int(us) / 1000:.1f}"


def fmt(x):
    return "?" if x is None else f"{x:.2f}"


def main():
    res = sys.argv[1]
    rows = {}
    order = []
    with open(os.path.join(res, "results.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows[r["label"]] = r
            order.append(r["label"])

    def idle_of(label):
        m = re.match(r"(php|sse-cgi)(?:-\w+)?-(\d+)$", label)
        if not m:
            return None
        return rows.get(f"{m.group(1)}-{m.group(2)}-idle"), f"{m.group(1)}-{m.group(2)}-idle"

    print("### Subscribers at 10 events/s, and idle\n")
    print("| run | subscribers est./req. | kB/sub marginal | kB/sub total | server PSS held MiB "
          "| latency p50 / p99 / max ms | delivered (published, rate/s) "
          "| server CPU s publishing, precise / srvstat | CPU µs/delivery (precise) "
          "| idle server CPU s, precise / srvstat (window s) | idle % of a core (precise) "
          "| all N connected after s / server CPU s to connect |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label in order:
        if label.endswith("-idle"):
            continue
        r = rows[label]
        ev = int(r["events"] or 0)
        cpu = float(r["srv_cpu_s"] or 0)
        per_del = f"{cpu * 1e6 / ev:.1f}" if ev else "–"
        idle_cell, idle_pct = "–", "–"
        got = idle_of(label)
        if got and got[0]:
            ir, ilabel = got
            el = pub_elapsed(res, ilabel)
            icpu = float(ir["srv_cpu_s"])
            if el is not None:
                win = el + 2  # sspub's run + bench.sh's 2 s drain (+ one srvstat sample)
                idle_cell = f"{icpu:.3f} / {fmt(tick_cpu(res, ilabel))} ({win:.0f})"
                idle_pct = f"{100 * icpu / win:.2f} %"
            else:
                idle_cell = f"{icpu:.2f}"
        pubwin = float(r["pubsecs"]) + 2
        star = "*" if label.startswith("php") else ""
        print(f"| {label} | {r['established']} / {r['N']} | {r['per_sub_kb']}{star} | {r['total_per_sub_kb']} "
              f"| {int(r['held_pss_kb']) / 1024:.1f} "
              f"| {ms(r['p50_us'])} / {ms(r['p99_us'])} / {ms(r['max_us'])} "
              f"| {r['delivered_pct']} % ({r['published']}, {r['pub_rate']}) "
              f"| {cpu:.2f} / {fmt(tick_cpu(res, label))} (in {pubwin:.0f} s) | {per_del} | {idle_cell} | {idle_pct} "
              f"| {fmt(connect_cost(res, label)[0])} / {fmt(connect_cost(res, label)[1])} |")
    print()
    print("\\* php-fpm `pm = static`: the baseline already holds the N+20 idle workers, so the marginal "
          "figure is only what streaming adds to a worker; a PHP subscriber costs the *total* column "
          "(one worker each).")
    print()
    print("Server CPU: *precise* = nanosecond run time of every thread of the server's process trees "
          "(/proc/PID/task/TID/schedstat, bench/srvstat-precise); *srvstat* = ssebench's figure "
          "(utime+stime from /proc/PID/stat, whole 10 ms ticks per process, rounded down: near 0 for "
          "many processes that each use under a tick in the window).")
    print()

    # idle runs' own figures, for the record
    print("| idle run | subscribers est./req. | kB/sub marginal | kB/sub total | closed by server | idle server CPU s |")
    print("|---|---|---|---|---|---|")
    for label in order:
        if label.endswith("-idle"):
            r = rows[label]
            print(f"| {label} | {r['established']} / {r['N']} | {r['per_sub_kb']} | {r['total_per_sub_kb']} "
                  f"| {r['closed']} | {r['srv_cpu_s']} |")
    print()

    path = os.path.join(res, "append-rate.out")
    if not os.path.exists(path):
        return
    app, one = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("APPEND "):
                d = kv(line)
                app.setdefault(d["path"], []).append(d)
            elif line.startswith("ONECALL "):
                one = kv(line)
    print("### Append rates (target: 100,000 events/s or more)\n")
    print("| path | events × bytes | events/s median (min – max) of runs | CPU s per run (median) | target |")
    print("|---|---|---|---|---|")
    names = {"lib": "libsse: `sse_channel_publish()`, one event per call",
             "raw": "`sse-publish --raw < file` (one process)"}
    for p in ("lib", "raw"):
        if p not in app:
            continue
        rates = [float(d["rate"]) for d in app[p]]
        cpus = [float(d["cpu_s"]) for d in app[p]]
        med = statistics.median(rates)
        print(f"| {names[p]} | {app[p][0]['events']} × {app[p][0]['bytes']} | {med:,.0f} "
              f"({min(rates):,.0f} – {max(rates):,.0f}, {len(rates)} runs) | {statistics.median(cpus):.3f} "
              f"| {'met' if min(rates) >= 100000 else 'MISSED'} |")
    if one:
        print(f"| one `sse-publish CHANNEL DATA` call (fork+exec+wait) | {one['calls']} calls | "
              f"mean {int(one['mean_us']) / 1000:.2f} ms, p50 {int(one['p50_us']) / 1000:.2f} ms, "
              f"p99 {int(one['p99_us']) / 1000:.2f} ms, max {int(one['max_us']) / 1000:.2f} ms "
              f"(≈ {1e6 / max(1, int(one['mean_us'])):,.0f} calls/s serially) | child CPU mean "
              f"{int(one['cpu_mean_us']) / 1000:.2f} ms | – |")


if __name__ == "__main__":
    main()
