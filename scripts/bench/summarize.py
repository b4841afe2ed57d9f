#!/usr/bin/env python3
"""Turns scripts/bench.sh's raw samples into the results table (stdout) and CSV.

usage: summarize.py RAW.csv RESULTS.csv
Medians over runs, ratios of medians; nearest-rank percentiles for kill latency.
"""
import csv
import math
import statistics
import sys
from collections import defaultdict

raw_path, out_path = sys.argv[1], sys.argv[2]
samples = defaultdict(list)  # (measurement, variant, metric) -> [(run, value)]
with open(raw_path) as f:
    for row in csv.DictReader(f):
        samples[(row["measurement"], row["variant"], row["metric"])].append((row["run"], float(row["value"])))


def values(m, variant, metric):
    return [v for _, v in samples.get((m, variant, metric), [])]


def median(xs):
    return statistics.median(xs) if xs else math.nan


def percentile(xs, p):
    if not xs:
        return math.nan
    xs = sorted(xs)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


rows = []  # measurement, metric, value, unit, target, status


def add(m, metric, value, unit="", target="", ok=None):
    status = "" if ok is None else ("met" if ok else "MISSED")
    rows.append((m, metric, value, unit, target, status))


def fmt(x, digits=2):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


# 1 and 2: the build-like workload, for each process sensor the daemon can run on (B: proc connector, E: eBPF).
a = values("1", "A", "wall_s")


def overhead(variant, sensor, cpu_target, wall_target):
    b = values("1", variant, "wall_s")
    if not (a and b):
        return
    ratio = median(b) / median(a)
    add("1", f"[{sensor}] wall time, daemon in audit mode (median of {len(b)}; no daemon {fmt(median(a))} s)", fmt(median(b)), "s")
    add("1", f"[{sensor}] wall-time ratio", fmt(ratio, 3), "", f"<= {wall_target}", ratio <= wall_target)
    per_round = {r: v for r, v in samples[("1", variant, "wall_s")]}
    ratios = [per_round[r] / v for r, v in samples[("1", "A", "wall_s")] if r in per_round]
    add("1", f"[{sensor}] per-round ratios (min / median / max)", f"{min(ratios):.3f} / {median(ratios):.3f} / {max(ratios):.3f}")
    dcpu, wcpu = values("2", variant, "daemon_cpu_s"), values("2", variant, "workload_cpu_s")
    if not (dcpu and wcpu):
        return
    share = 100 * median(dcpu) / median(wcpu)
    add("2", f"[{sensor}] daemon CPU / workload CPU ({fmt(median(dcpu))} of {fmt(median(wcpu))} s)", fmt(share, 1), "%",
        f"<= {cpu_target}%", share <= cpu_target)
    idle = values("2", variant, "daemon_idle_cpu_per_s")
    if idle:
        net = median(dcpu) - median(idle) * median(b)
        add("2", f"[{sensor}] daemon CPU when no job runs (other users' processes, timers)", fmt(100 * median(idle), 1), "% of a core")
        add("2", f"[{sensor}] daemon CPU net of that baseline / workload CPU", fmt(100 * net / median(wcpu), 1), "%")
        processes = values("2", variant, "processes")
        if processes:
            add("2", f"[{sensor}] daemon CPU per job process (net of the baseline)", fmt(1e6 * net / median(processes), 0), "us")
    rss = values("2", variant, "daemon_peak_rss_mb")
    add("2", f"[{sensor}] daemon peak RSS, VmHWM (median / max)", f"{median(rss):.1f} / {max(rss):.1f}", "MB", "<= 80 MB", max(rss) <= 80)
    private, ring = values("2", variant, "daemon_private_mb"), values("2", variant, "daemon_pcap_ring_mb")
    if private:
        add("2", f"[{sensor}] of which private to the daemon; of which the pcap ring", f"{median(private):.1f}; {median(ring):.1f}", "MB")
    add("2", f"[{sensor}] daemon events per run (median)", fmt(median(values("2", variant, "daemon_events")), 0))
    add("2", f"[{sensor}] daemon CPU from start to warm, not counted above (median)", fmt(median(values("2", variant, "daemon_startup_cpu_s"))), "s")
    unread = values("2", variant, "execs_unread")
    if unread:
        add("2", f"[{sensor}] execs read after the process had exited (median per run; no program in the report)", fmt(median(unread), 0))


overhead("B", "proc connector", 5, 1.03)
overhead("E", "eBPF", 1, 1.02)
floor, fwall = values("2", "F", "floor_cpu_s"), values("1", "F", "wall_s")
if a and floor and fwall:
    fcpu = values("2", "F", "workload_cpu_s")
    add("2", "floor (floor.c: proc connector + stat at fork, cmdline + exe at exec) CPU / workload CPU",
        fmt(100 * median(floor) / median(fcpu), 1), "%")
    add("1", "floor's wall-time ratio F/A", fmt(median(fwall) / median(a), 3))
    funread = values("2", "F", "floor_execs_unread")
    if funread:
        add("2", "... the floor's execs read too late (its exe link read after the process had exited)", fmt(median(funread), 0))

# 3: exec capacity, per parallelism.
# Runs are spawn parallelism ("1" .. "16") or exec chains ("chain5000" .. paced rate; "chain0" unpaced).
runs3 = {r for r, _ in samples.get(("3", "B", "execs_per_s"), [])}
runs = sorted((r for r in runs3 if r.isdigit()), key=int)
chains = sorted((r for r in runs3 if r.startswith("chain")), key=lambda r: int(r[5:]) or 10**9)
if runs or chains:
    def at(variant, metric, run):
        return dict(samples.get(("3", variant, metric), [])).get(run, math.nan)

    clean, recovered = [], True
    for r in runs + chains:
        rate, lost, rescans = at("B", "execs_per_s", r), at("B", "events_lost", r), at("B", "rescans", r)
        if r.isdigit():
            add("3", f"{r} workers: execs/s with daemon (without)", f"{rate:.0f} ({at('A', 'execs_per_s', r):.0f})", "execs/s")
            add("3", f"{r} workers: events lost, rescans", f"{lost:.0f}, {rescans:.0f}")
        else:
            paced = int(r[5:])
            label = f"exec chains paced at {paced}/s" if paced else "exec chains unpaced"
            without = at("A", "execs_per_s", r)
            add("3", f"{label}: execs/s with daemon" + ("" if math.isnan(without) else " (without)"),
                f"{rate:.0f}" + ("" if math.isnan(without) else f" ({without:.0f})"), "execs/s")
            add("3", f"{label}: events lost, rescans", f"{lost:.0f}, {rescans:.0f}")
        if lost == 0:
            clean.append(rate)
        elif rescans == 0:
            recovered = False
    best = max(clean) if clean else 0
    top = max(at("A", "execs_per_s", r) for r in runs + chains)
    add("3", "highest rate with 0 events lost", f"{best:.0f}", "execs/s", ">= 5000",
        best >= 5000 if top >= 5000 else None)
    add("3", "highest rate the machine produced without the daemon", f"{top:.0f}", "execs/s")
    add("3", "every lossy burst recovered by a rescan", "yes" if recovered else "NO", "", "yes", recovered)

# 4: kill latency and payload per delay.
for delay in ("0", "1", "5", "20"):
    v = f"delay{delay}"
    lat = values("4", v, "kill_latency_ms")
    payload = values("4", v, "payload_bytes")
    if not payload:
        continue
    trials = len(payload)
    killed, missed = len(values("4", v, "killed")), len(values("4", v, "missed")) + len(values("4", v, "no_report"))
    add("4", f"{delay} ms: jobs killed / missed (flows unattributed)", f"{killed} / {missed} of {trials}", "", "all killed", missed == 0)
    add("4", f"{delay} ms: unattributed flows per trial (median / total)",
        f"{median(values('4', v, 'unattributed_flows')):.0f} / {sum(values('4', v, 'unattributed_flows')):.0f}")
    if lat:
        p99 = percentile(lat, 99)
        add("4", f"{delay} ms: kill latency p50 / p99 (n={len(lat)} killed)", f"{percentile(lat, 50):.2f} / {p99:.2f}", "ms", "p99 <= 5 ms", p99 <= 5)
        detect = values("4", v, "detect_ms")
        if detect:
            # Split at the kill signal: packet -> signal (detection, attribution, verdict), signal -> last exit seen.
            death = [total - d for total, d in zip(lat, detect)]
            add("4", f"{delay} ms: of which packet -> kill signal, p50 / p99", f"{percentile(detect, 50):.2f} / {percentile(detect, 99):.2f}", "ms")
            add("4", f"{delay} ms: of which kill signal -> last exit seen, p50 / p99", f"{percentile(death, 50):.2f} / {percentile(death, 99):.2f}", "ms")
    kinds = defaultdict(int)
    for (m, var, k), xs in samples.items():
        if m == "4" and var == v and k.startswith("first_violation="):
            kinds[k.split("=", 1)[1]] += len(xs)
    if kinds:
        add("4", f"{delay} ms: first violation (the kill's trigger)", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    leaked = sum(1 for x in payload if x > 0)
    add("4", f"{delay} ms: payload bytes delivered (total; trials with any)", f"{sum(payload):.0f}; {leaked}/{trials}", "bytes",
        "0" if delay != "0" else "reported", (sum(payload) == 0) if delay != "0" else None)

# 5: bulk transfer.
for direction in ("download", "upload", "idle"):
    wall, cpu = values("5", direction, "wall_s"), values("5", direction, "daemon_cpu_s")
    if wall:
        share = 100 * median(cpu) / median(wall)
        if direction == "idle":
            add("5", "idle daemon, same setup: CPU / time", fmt(share, 2), "% of a core")
            continue
        got, frames = values("5", direction, "bytes"), values("5", direction, "frames")
        add("5", f"{direction}: bytes, wall (median of {len(wall)}), frames captured", f"{median(got):.0f}, {median(wall):.2f} s, {median(frames):.0f}")
        add("5", f"{direction}: daemon CPU / transfer time", fmt(share, 2), "% of a core", "<= 2%", share <= 2)

# 6: replay memory.
rss = dict(samples.get(("6", "B", "rss_mb"), []))
if rss:
    points = sorted(rss, key=int)
    for point in ("100000", "500000", "1000000"):
        if point in rss:
            add("6", f"RSS after {int(point):,} events", f"{rss[point]:.0f}", "MB")
    # The first 100k events warm the heap up; bounded means no growth over the second half of the trace.
    half = points[len(points) // 2 - 1]
    growth = rss[points[-1]] - rss[half]
    managed = dict(samples.get(("6", "B", "managed_mb"), []))
    add("6", f"RSS growth {int(half):,} -> {int(points[-1]):,} events", f"{growth:+.0f}", "MB", "bounded (<= 5%)",
        growth <= 0.05 * rss[points[-1]])
    add("6", f"managed heap after {int(points[-1]):,} events", f"{managed.get(points[-1], math.nan):.0f}", "MB")
    add("6", "replay throughput", fmt(median(values("6", "B", "events_per_s")), 0), "events/s")

# 7: DNS through prevent mode's forwarder (per-query round trips from a job, all rounds pooled).
direct, forwarded = values("7", "audit", "rtt_us"), values("7", "prevent", "rtt_us")
if direct and forwarded:
    add("7", f"DNS round trip, audit (straight to the resolver), p50 / p99 (n={len(direct)})",
        f"{percentile(direct, 50):.0f} / {percentile(direct, 99):.0f}", "us")
    add("7", f"DNS round trip, prevent (through the forwarder), p50 / p99 (n={len(forwarded)})",
        f"{percentile(forwarded, 50):.0f} / {percentile(forwarded, 99):.0f}", "us")
    add("7", "added by the forwarder, p50 / p99", f"{percentile(forwarded, 50) - percentile(direct, 50):.0f} / "
        f"{percentile(forwarded, 99) - percentile(direct, 99):.0f}", "us")

with open(out_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["measurement", "metric", "value", "unit", "target", "status"])
    w.writerows(rows)

widths = [max(len(str(r[i])) for r in rows + [("#", "Metric", "Value", "Unit", "Target", "Status")]) for i in range(6)]
header = ("#", "Metric", "Value", "Unit", "Target", "Status")
print("| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(header)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print("| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)) + " |")
