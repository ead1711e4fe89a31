"""Peak RSS of the twofa server across logins, under glibc malloc settings (diagnostic for G7).

Usage: python3 bench/rss_malloc_probe.py /var/cache/twofa/target/release/twofa
Starts the server three times on a fresh data dir on 127.0.0.1 (default malloc,
MALLOC_ARENA_MAX=2, MALLOC_MMAP_THRESHOLD_=131072), runs set-up, 4 sequential logins and three
bursts of 8 parallel logins, and prints VmRSS/VmHWM after each step. A fixed mmap threshold
returns every Argon2 block to the OS on free; if only that run stays near idle + permits x 19 MiB,
the excess is glibc's dynamic mmap threshold keeping freed Argon2 memory in per-thread arenas.
"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.request
BIN = sys.argv[1]
def rss(pid):
    d = {}
    for l in open(f"/proc/{pid}/status"):
        if l.startswith(("VmRSS", "VmHWM", "Threads")):
            k, v = l.split(":"); d[k] = v.strip()
    return d
def run(extra):
    data = tempfile.mkdtemp(prefix="rssprobe-")
    env = dict(os.environ, TWOFA_BIND="127.0.0.1:0", TWOFA_DATA_DIR=data, TWOFA_LOG="warn",
               TWOFA_LOGIN_FAILURE_LIMIT="1000000", **extra)
    p = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline(); addr = line.split("http://")[1].strip()
    time.sleep(0.3)
    def post(path, body):
        req = urllib.request.Request(f"http://{addr}{path}", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Origin": f"http://{addr}"})
        try:
            return urllib.request.urlopen(req).status
        except urllib.error.HTTPError as e:
            return e.code
    out = [("idle", rss(p.pid))]
    post("/api/setup", {"username": "a", "password": "passwordpassword"})
    out.append(("setup", rss(p.pid)))
    for i in range(4):
        post("/api/login", {"username": "a", "password": "passwordpassword", "token": True})
    out.append(("4 sequential logins", rss(p.pid)))
    for k in range(3):
        ts = [threading.Thread(target=post, args=("/api/login", {"username": "a", "password": "passwordpassword", "token": True})) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        out.append((f"burst of 8 #{k+1}", rss(p.pid)))
    p.terminate(); p.wait()
    print(extra or "default", file=sys.stdout)
    for name, r in out:
        print(f"   {name:22s} RSS {r['VmRSS']:>10s}  HWM {r['VmHWM']:>10s}  threads {r['Threads']}")
for extra in [{}, {"MALLOC_ARENA_MAX": "2"}, {"MALLOC_MMAP_THRESHOLD_": "131072"}]:
    run(extra)
