#!/usr/bin/env python3
"""Deterministic input of the expectations benchmark (issue 5): order-like JSON lines.

    python3 bench/generate-expectations-data.py [--rows 2000000] [--files 40] [--out DIR]

Writes DIR/part-00000.json ... (default target/bench/expectations/input, ~490 MB for 2,000,000
rows, ~246 bytes a row). The same arguments always give byte-identical files (one seeded random
generator per file), so runs on different machines read the same data. A finished run leaves
DIR.done (row and file counts, a hash of this script) next to DIR; the files are rewritten when it
is missing or differs.

Most rows satisfy all 20 rules of bench/src/main/java/io/medallion/bench/Rules.java;
each rule is violated by about 0.5 to 3.5 % of the rows, independently, so violations overlap
(12.5 % of the rows break a drop or quarantine rule). Violations include NULLs (absent keys) as
well as wrong values. Absent optional values are left out of the line, as JSON producers do.
"""

import argparse
import hashlib
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from multiprocessing import Pool

COUNTRIES = ["DE", "FR", "GB", "US", "NL", "BE", "AT", "CH", "SE", "PL", "ES", "IT", "DK", "NO", "IE"]
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "PLN"]
STATUSES = ["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
DOMAINS = ["example.com", "mail.example", "shop.test", "post.example"]
NAMES = ["anna", "ben", "chen", "dana", "emil", "fatima", "goran", "hana", "ivan", "julia", "kofi", "lea"]
BASE = datetime(2025, 1, 1, tzinfo=timezone.utc)
YEAR_SECONDS = 365 * 24 * 3600


def ts(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def row(r, order_id):
    """One JSON line; each `r.random() < p` below is one rule's violation share."""
    f = []
    if r.random() >= 0.005:                                   # q_has_order_id: 0.5 % absent
        f.append('"order_id":%d' % order_id)
    if r.random() >= 0.007:                                   # q_has_customer: 0.7 % absent
        cid = r.randrange(1, 400000)
        if r.random() < 0.01:                                 # w_customer_format: 1 % malformed
            f.append('"customer_id":"%s"' % r.choice(["c%07d" % cid, "CUST-%d" % cid, "C%d" % cid]))
        else:
            f.append('"customer_id":"C%07d"' % cid)
    x = r.random()
    name = "%s%d" % (r.choice(NAMES), order_id % 9973)
    if x < 0.02:                                              # d_email_format: 2 % malformed
        f.append('"email":"%s"' % r.choice(["%s.%s" % (name, r.choice(DOMAINS)), "%s@" % name,
                                             "%s@@%s" % (name, r.choice(DOMAINS)),
                                             "%s x@%s" % (name, r.choice(DOMAINS))]))
    elif x >= 0.03:                                           # w_has_email: 1 % absent
        f.append('"email":"%s@%s"' % (name, r.choice(DOMAINS)))
    x = r.random()
    if x < 0.01:                                              # d_valid_country: 1 % unknown code
        f.append('"country":"%s"' % r.choice(["XX", "de", "U.S.", "UK"]))
    elif x >= 0.015:                                          # w_has_country: 0.5 % absent
        f.append('"country":"%s"' % r.choice(COUNTRIES))
    x = r.random()
    if x < 0.01:                                              # q_valid_currency: 1 % unknown, 0.3 % absent
        f.append('"currency":"%s"' % r.choice(["XXX", "eur", "EURO", ""]))
    elif x >= 0.013:
        f.append('"currency":"%s"' % r.choice(CURRENCIES))
    x = r.random()
    if x < 0.015:                                             # d_valid_status: 1.5 % unknown
        status = r.choice(["SHIPPED", "unknown", "in_transit"])
    elif x < 0.018:                                           # 0.3 % absent: passes (NULL passes)
        status = None
    else:
        status = r.choice(STATUSES)
    if status is not None:
        f.append('"status":"%s"' % status)
    sku = r.randrange(1, 50000)
    if r.random() < 0.01:                                     # w_sku_format: 1 % malformed
        f.append('"sku":"%s"' % r.choice(["sku-%06d" % sku, "SKU-%d" % sku, "SKU_%06d" % sku]))
    else:
        f.append('"sku":"SKU-%06d"' % sku)
    qty = r.randrange(1, 6)
    x = r.random()
    if x < 0.01:                                              # q_quantity_range: 1 % out of range
        qty = r.choice([0, -1, 5000])
    if not (0.01 <= x < 0.013):                               # 0.3 % absent: passes
        f.append('"quantity":%d' % qty)
    price = round(r.uniform(2, 300), 2)
    x = r.random()
    if x < 0.01:                                              # d_unit_price_positive: 1 % zero or negative
        price = r.choice([0.0, -4.99])
    if not (0.01 <= x < 0.012):                               # 0.2 % absent: passes
        f.append('"unit_price":%s' % price)
    disc = r.choice([0, 0, 0, 0, 0.05, 0.1, 0.2])
    if r.random() < 0.008:                                    # d_discount_range: 0.8 % out of range
        disc = r.choice([-0.1, 1.5])
    if disc != 0:                                             # no discount: the key is left out
        f.append('"discount":%s' % disc)
    amount = round(max(qty, 0) * price * (1 - disc), 2)
    x = r.random()
    if x < 0.01:                                              # q_positive_amount: 1 % <= 0, 0.5 % absent
        amount = r.choice([0, -12.5])                         # (also breaks w_amount_consistent)
    elif x < 0.02:                                            # w_amount_reasonable: 1 % >= 10000
        amount = round(r.uniform(10000, 90000), 2)
    if not (0.02 <= x < 0.025):
        f.append('"amount":%s' % amount)
    created = BASE + timedelta(seconds=r.randrange(YEAR_SECONDS))
    x = r.random()
    if x < 0.005:                                             # w_not_future: 0.5 % after 2026-01-01
        created = created + timedelta(days=500)
    if not (0.005 <= x < 0.015):                              # q_has_order_ts: 1 % absent
        f.append('"order_ts":"%s"' % ts(created))
    if status in ("shipped", "delivered", "returned"):
        if r.random() < 0.02:                                 # d_ship_after_order: ~1 % of rows
            ship = created - timedelta(days=r.randrange(1, 10))
        else:
            ship = created + timedelta(days=r.randrange(0, 5))
        if r.random() >= 0.03:                                # w_shipped_has_date: ~1.5 % of rows
            f.append('"ship_date":"%s"' % ship.strftime("%Y-%m-%d"))
    return "{" + ",".join(f) + "}\n"


def write_file(args):
    index, first_id, rows, out = args
    r = random.Random(1_000_003 * (index + 1))
    path = os.path.join(out, "part-%05d.json" % index)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        buf = []
        for i in range(rows):
            buf.append(row(r, first_id + i))
            if len(buf) == 10000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    os.replace(tmp, path)
    return os.path.getsize(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=2_000_000)
    p.add_argument("--files", type=int, default=40)
    p.add_argument("--out", default="target/bench/expectations/input")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    marker = a.out.rstrip("/") + ".done"
    with open(__file__, "rb") as fh:
        generator = hashlib.sha256(fh.read()).hexdigest()[:12]
    stamp = "rows=%d files=%d generator=%s\n" % (a.rows, a.files, generator)
    if os.path.exists(marker) and open(marker).read() == stamp:
        print("input already there: %s (%s)" % (a.out, stamp.strip()))
        return
    if os.path.exists(marker):
        os.remove(marker)
    os.makedirs(a.out, exist_ok=True)
    for name in os.listdir(a.out):
        os.remove(os.path.join(a.out, name))
    per = a.rows // a.files
    jobs = []
    first = 1
    for i in range(a.files):
        n = per + (1 if i < a.rows % a.files else 0)
        jobs.append((i, first, n, a.out))
        first += n
    with Pool(a.workers) as pool:
        total = sum(pool.map(write_file, jobs))
    with open(marker, "w") as fh:
        fh.write(stamp)
    print("wrote %d rows in %d files, %.1f MB (%.0f bytes/row) to %s"
          % (a.rows, a.files, total / 1e6, total / a.rows, a.out))


if __name__ == "__main__":
    sys.exit(main())
