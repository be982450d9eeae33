"""Helpers of bench/server/idle-connections.sh (standard library only).

  idle-connections.py flood HOST PORT N HOLD   opens N connections that send nothing, keeps them
                                               HOLD seconds, closes them; prints how many opened,
                                               how many the server closed while held, how many
                                               connects failed
  idle-connections.py health URL OUT           GET URL on a fresh connection every 20 ms until
                                               killed; appends "monotonic-time latency-ms status"
                                               per request to OUT (status 0: no answer within 2 s)
  idle-connections.py summary OUT FROM TO ...  latency percentiles of OUT's requests per phase,
                                               each phase a NAME:START:END of monotonic times
"""
import errno, os, selectors, socket, sys, time


def flood(host, port, n, hold):
    sel = selectors.DefaultSelector()
    socks, failed, established, closed = [], 0, 0, 0
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            failed += 1
            s.close()
            continue
        socks.append(s)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    print(f"connects started {len(socks)} (refused at once {failed}) in {time.monotonic() - start:.2f} s", flush=True)
    # Writable: the connect finished (SO_ERROR says how). Readable: the server closed it, as
    # these connections never send a request.
    deadline = time.monotonic() + hold
    while time.monotonic() < deadline:
        for key, events in sel.select(timeout=max(0.0, min(0.5, deadline - time.monotonic()))):
            s = key.fileobj
            if events & selectors.EVENT_WRITE and not key.data:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    failed += 1
                    sel.unregister(s)
                    s.close()
                    continue
                established += 1
                sel.modify(s, selectors.EVENT_READ, data=True)
            elif events & selectors.EVENT_READ:
                try:
                    data = s.recv(1024)
                except OSError:
                    data = b""
                if not data:
                    closed += 1
                    sel.unregister(s)
                    s.close()
    pending = sum(1 for k in sel.get_map().values() if not k.data)
    print(f"after {hold:.0f} s: established {established}, failed {failed}, closed by the server {closed}, "
          f"still open {established - closed}, connect still pending {pending}", flush=True)
    for s in socks:
        if s.fileno() >= 0:
            s.close()


def health(url, out):
    host, rest = url.split("//", 1)[1].split("/", 1)
    h, p = host.split(":")
    request = f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    with open(out, "a", buffering=1) as f:
        while True:
            t = time.monotonic()
            status = 0
            try:
                with socket.create_connection((h, int(p)), timeout=2) as s:
                    s.sendall(request)
                    data = b""
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    if data.startswith(b"HTTP/1.1 "):
                        status = int(data[9:12])
            except OSError:
                status = 0
            f.write(f"{t:.4f} {(time.monotonic() - t) * 1000:.2f} {status}\n")
            time.sleep(max(0.0, 0.02 - (time.monotonic() - t)))


def summary(out, phases):
    rows = [line.split() for line in open(out)]
    print(f"{'phase':<9} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'over 50 ms':>10} {'failed':>6}")
    for phase in phases:
        name, a, b = phase.split(":")
        sel = [r for r in rows if float(a) <= float(r[0]) < float(b)]
        ok = sorted(float(r[1]) for r in sel if r[2] == "200")
        failed = sum(1 for r in sel if r[2] != "200")

        def pct(q):
            return ok[min(len(ok) - 1, int(q * len(ok)))] if ok else float("nan")
        slow = sum(1 for x in ok if x > 50)
        print(f"{name:<9} {len(sel):>8} {pct(0.5):>7.1f} {pct(0.95):>7.1f} {pct(0.99):>7.1f} {(ok[-1] if ok else float('nan')):>7.1f} {slow:>10} {failed:>6}")


if __name__ == "__main__":
    start = time.monotonic()
    cmd = sys.argv[1]
    if cmd == "flood":
        flood(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "health":
        health(sys.argv[2], sys.argv[3])
    elif cmd == "summary":
        summary(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
