"""Helpers of bench/server/contention.sh (standard library only).

  contention.py csv ROWS PREFIX     a wide CSV of ROWS distinct runs (1,000 mixtures), run names PREFIX0..
  contention.py probe DB            prints each stretch during which another connection holds DB's write
                                    lock: "held START END SECONDS" (monotonic seconds), until killed
  contention.py post URL FILE       POSTs FILE as JSON to URL, again after Retry-After while the answer
                                    is 503; prints each answer "status seconds retry-after" and exits 0
                                    when the last one is 2xx
"""
import json, random, sqlite3, sys, time, urllib.error, urllib.request


def csv(rows, prefix):
    r = random.Random(1)
    mixes = []
    for _ in range(1000):
        w = [r.random() for _ in range(6)]
        s = sum(w)
        mixes.append(",".join(f"{100 * x / s:.1f}" for x in w))
    out = sys.stdout
    out.write("run,params_b,tokens_b,web_crawl,encyclopedia,academia,literature,math,code,text_acc,ppl,vqa_avg\n")
    for i in range(rows):
        out.write(f"{prefix}{i},{0.1 + (i % 50) * 0.1:.1f},{10 + i % 97},{mixes[i % 1000]},"
                  f"{40 + r.random() * 20:.2f},{8 + r.random() * 6:.2f},{25 + r.random() * 10:.2f}\n")


def probe(db):
    # BEGIN IMMEDIATE with no busy wait fails exactly while another connection holds the write
    # lock; when it succeeds the probe lets go at once, so a writer waits at most a moment.
    c = sqlite3.connect(db, timeout=0, isolation_level=None)
    since = None
    while True:
        now = time.monotonic()
        try:
            c.execute("BEGIN IMMEDIATE")
            c.execute("ROLLBACK")
            if since is not None:
                print(f"held {since:.2f} {now:.2f} {now - since:.2f}", flush=True)
                since = None
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if since is None:
                since = now
                print(f"taken {now:.2f}", flush=True)
        time.sleep(0.05)


def post(url, path):
    body = open(path, "rb").read()
    start = time.monotonic()
    for _ in range(100):
        t = time.monotonic()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                status, retry, text = resp.status, None, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, retry, text = e.code, e.headers.get("Retry-After"), e.read().decode()
        print(f"{status} {time.monotonic() - t:.2f} {retry or '-'} {text[:200]}", flush=True)
        if status != 503 or retry is None:
            print(f"total {time.monotonic() - start:.2f}", flush=True)
            return 0 if 200 <= status < 300 else 1
        time.sleep(float(retry))
    return 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "csv":
        csv(int(sys.argv[2]), sys.argv[3])
    elif cmd == "probe":
        probe(sys.argv[2])
    elif cmd == "post":
        sys.exit(post(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
