#!/usr/bin/env python3
"""Regenerates the retail demo's sample data under src/demo/retail/landing (deterministic).

Orders land as JSON lines in dated folders (orders/YYYY/MM/DD/orders-NN.json), with on purpose:
  - status updates: the same order_id again with a later updated_at (silver keeps the latest),
  - exact duplicates: a record delivered twice in two files,
  - malformed lines: truncated JSON (bronze keeps them in _corrupt_record, silver skips them),
  - rows the expectations catch, 7 a day with their own order ids: negative amounts (silver
    quarantines them), no customer_id (silver drops them), status "on_hold" (silver warns).
    They come from a separate random generator, so the other rows do not change.
Customers land as one CSV file with a header.
"""
import json
import os
import random
import shutil
from datetime import datetime, timedelta

random.seed(20261101)
root = os.path.join(os.path.dirname(__file__), "..", "src", "demo", "retail", "landing")
shutil.rmtree(root, ignore_errors=True)

countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"]
os.makedirs(os.path.join(root, "customers"))
with open(os.path.join(root, "customers", "customers.csv"), "w") as f:
    f.write("customer_id,name,country,signup_date\n")
    for cid in range(1, 401):
        f.write(f"{cid},Customer {cid},{random.choice(countries)},2025-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}\n")

start = datetime(2026, 11, 1)
order_id = 1000
for day in range(7):
    date = start + timedelta(days=day)
    folder = os.path.join(root, "orders", f"{date:%Y}", f"{date:%m}", f"{date:%d}")
    os.makedirs(folder)
    files = [[] for _ in range(4)]
    for _ in range(random.randint(380, 460)):
        order_id += 1
        ts = date + timedelta(seconds=random.randint(0, 86399))
        rec = {
            "order_id": order_id,
            "customer_id": random.randint(1, 400),
            "order_ts": ts.strftime("%Y-%m-%dT%H:%M:%S"),
            "status": "placed",
            "amount": round(random.uniform(5, 500), 2),
            "updated_at": ts.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        files[random.randrange(4)].append(json.dumps(rec))
        r = random.random()
        if r < 0.10:  # later status update of the same order
            upd = dict(rec)
            upd["status"] = random.choice(["shipped", "cancelled"])
            upd["updated_at"] = (ts + timedelta(minutes=random.randint(5, 600))).strftime("%Y-%m-%dT%H:%M:%S")
            files[random.randrange(4)].append(json.dumps(upd))
        elif r < 0.15:  # the same record delivered twice
            files[random.randrange(4)].append(json.dumps(rec))
        elif r < 0.17:  # a truncated line
            files[random.randrange(4)].append(json.dumps(rec)[: random.randint(5, 40)])
    defects = random.Random(1000 + day)
    for n, kind in enumerate(["negative_amount"] * 2 + ["no_customer"] * 2 + ["on_hold"] * 3):
        ts = date + timedelta(seconds=defects.randint(0, 86399))
        rec = {
            "order_id": 900000 + day * 100 + n,
            "customer_id": None if kind == "no_customer" else defects.randint(1, 400),
            "order_ts": ts.strftime("%Y-%m-%dT%H:%M:%S"),
            "status": "on_hold" if kind == "on_hold" else "placed",
            "amount": -round(defects.uniform(5, 500), 2) if kind == "negative_amount" else round(defects.uniform(5, 500), 2),
            "updated_at": ts.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        files[defects.randrange(4)].append(json.dumps(rec))
    for i, lines in enumerate(files):
        with open(os.path.join(folder, f"orders-{i:02d}.json"), "w") as f:
            f.write("\n".join(lines) + "\n")
