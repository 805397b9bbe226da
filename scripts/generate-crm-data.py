#!/usr/bin/env python3
"""Deterministic AWS DMS-shaped CSV files for the crm demo (conf/pipelines/crm.conf).

Writes <landing>/crm/customers/full/LOAD00000001.csv (full load: no Op column) and
<landing>/crm/customers/cdc/<n>.csv change files (Op = I | U | D, commit_ts), some of them
delivered out of order. Usage: generate-crm-data.py [landing-root] [customers] [change-files]
"""
import csv
import os
import random
import sys
from datetime import datetime, timedelta

COUNTRIES = ["DE", "FR", "MX", "US", "JP"]


def main():
    landing = sys.argv[1] if len(sys.argv) > 1 else "src/demo/retail/landing"
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    files = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    rnd = random.Random(42)
    full = os.path.join(landing, "crm", "customers", "full")
    cdc = os.path.join(landing, "crm", "customers", "cdc")
    os.makedirs(full, exist_ok=True)
    os.makedirs(cdc, exist_ok=True)
    state = {}
    with open(os.path.join(full, "LOAD00000001.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "name", "email", "country"])
        for i in range(1, customers + 1):
            state[i] = ["customer %d" % i, "c%d@example.com" % i, rnd.choice(COUNTRIES)]
            w.writerow([i] + state[i])
    t = datetime(2026, 1, 1)
    next_id = customers + 1
    changes = []
    for n in range(files * 10):
        t += timedelta(seconds=rnd.randint(1, 60))
        r = rnd.random()
        if r < 0.2:
            state[next_id] = ["customer %d" % next_id, "c%d@example.com" % next_id, rnd.choice(COUNTRIES)]
            changes.append(["I", t.isoformat(sep=" "), next_id] + state[next_id])
            next_id += 1
        elif r < 0.35 and state:
            key = rnd.choice(sorted(state))
            changes.append(["D", t.isoformat(sep=" "), key] + state.pop(key))
        elif state:
            key = rnd.choice(sorted(state))
            row = state[key]
            if rnd.random() < 0.5:
                row[2] = rnd.choice(COUNTRIES)
            else:
                row[1] = "new%d.%s" % (n, row[1])
            changes.append(["U", t.isoformat(sep=" "), key] + row)
    # cut into files round-robin: a file holds changes later than some in the next file, so
    # changes arrive out of order across batches
    per_file = [changes[i::files] for i in range(files)]
    for n, rows in enumerate(per_file, start=1):
        with open(os.path.join(cdc, "%08d.csv" % n), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["Op", "commit_ts", "customer_id", "name", "email", "country"])
            w.writerows(rows)


if __name__ == "__main__":
    main()
