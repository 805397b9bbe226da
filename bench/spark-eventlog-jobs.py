#!/usr/bin/env python3
"""Prints the Spark jobs of one application from its event log (spark.eventLog.enabled=true):
start offset, duration, tasks and call site, plus totals. Used to profile where a run's fixed cost
goes (docs/performance.md).

    python3 bench/spark-eventlog-jobs.py /tmp/sparklog/local-1234
"""
import json
import sys
from collections import Counter

jobs, stages, start = {}, {}, None
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue  # the last line of a log still being written
    ev = e["Event"]
    if ev == "SparkListenerApplicationStart":
        start = e["Timestamp"]
    elif ev == "SparkListenerJobStart":
        props = e.get("Properties") or {}
        tasks = sum(s["Number of Tasks"] for s in e["Stage Infos"])
        site = props.get("callSite.short") or ""
        desc = props.get("spark.job.description") or ""
        jobs[e["Job ID"]] = dict(t0=e["Submission Time"], tasks=tasks, site=site, desc=desc[:60])
    elif ev == "SparkListenerJobEnd":
        jobs[e["Job ID"]]["t1"] = e["Completion Time"]

total = 0
for jid, j in sorted(jobs.items()):
    d = j.get("t1", j["t0"]) - j["t0"]
    total += d
    print(f"{(j['t0'] - start) / 1000:8.2f}s {d:6d}ms {j['tasks']:4d} tasks  {j['site'][:70]}  {j['desc']}")
print(f"{len(jobs)} jobs, {sum(j['tasks'] for j in jobs.values())} tasks, {total / 1000:.1f} s inside jobs")
for site, n in Counter(j["site"].split(" at ")[0] for j in jobs.values()).most_common(12):
    print(f"  {n:4d} x {site}")
