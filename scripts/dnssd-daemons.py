#!/usr/bin/env python3
"""The real-daemon oracle for netlens' DNS-SD paste parsers.

Real tools decide what their output means: this script publishes services with deliberately
hard TXT records and instance names through a real avahi-daemon (its D-Bus API, exact bytes)
and through python-zeroconf, and captures what a user would paste: `avahi-browse -r`, `-rp`,
`-rpk`, `dig` (full and `+short`), and python-zeroconf's `ServiceInfo` views. The wire bytes
of every record come from python-zeroconf resolving it off the network (`info.text`), so a
test can check that netlens decodes each capture to exactly those strings, in wire order.

Everything happens inside two network namespaces the script creates, joined by a veth pair:
Avahi's (10.77.<n>.1) and python-zeroconf's (.2), with a private dbus-daemon; the root
namespace's network is never touched. Two, not one: both daemons bind UDP port 5353, and the
kernel hands a unicast query (dig's) to only one of the sockets sharing a port, so in one
namespace dig would be answered by whichever it picked. Every process started is stopped by its PID and
the namespace deleted, also on failure or Ctrl-C. Every wait is bounded.

    target/dnssd-venv/bin/python scripts/dnssd-daemons.py OUT_DIR [--dns-sd BUILD_DIR] [--browse NETLENS]

With --browse, `NETLENS dnssd browse TYPE --json` runs for every service type, and once for every
type on the link, from python-zeroconf's namespace (format `browse`).

With --dns-sd, mDNSResponder's own daemon and client (`mdnsd`, `dns-sd` and `libdns_sd.so`
built from apple-oss-distributions/mDNSResponder's mDNSPosix; scripts/mdnsresponder-captures.sh
builds them) run in python-zeroconf's namespace too, and `dns-sd -B`, `-L`, `-Z` and `-Q` are
captured for every service. Debian has no package of them, so their captures are committed
(crates/netlens-dnssd/tests/captures/mdnsresponder/).

Writes OUT_DIR/manifest.json (services, captures, tool versions) and one file per capture.
Exits 77 with one line on stdout saying why when something it needs is missing (not root, no
network namespaces, avahi-daemon, dbus-daemon or dig not installed, the venv's packages
missing); the caller skips then. Needs root. `make test`'s setup installs everything.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
# The whole run, seconds (dns-sd's captures add about 30).
DEADLINE = time.monotonic() + 120 + (60 if "--dns-sd" in sys.argv else 0) + (20 if "--browse" in sys.argv else 0)
AVAHI_TYPES_PREFIX = "_nlt-"


def skip(why):
    print(f"SKIPPED: {why}")
    sys.exit(SKIP)


def remaining(cap):
    """Seconds left for one step: at most `cap`, never past the run's deadline."""
    left = DEADLINE - time.monotonic()
    if left <= 0:
        raise TimeoutError("the daemon harness ran out of time (120 s)")
    return min(cap, left)


# The services. Strings are bytes exactly as published; `avahi` ones go through Avahi's D-Bus
# API, `zeroconf` ones through python-zeroconf (a dict of properties, in order).
LONG = b"long=" + b"x" * 250  # 255 bytes: the most one string can hold
SERVICES = [
    {
        "id": "basic",
        "publisher": "avahi",
        "instance": "Basic Printer",
        "type": "_nlt-basic._tcp",
        "subtypes": ["_printer"],
        "port": 631,
        "txt": [b"txtvers=1", b"rp=ipp/print", b"paper", b"empty=", b"note=Second floor, room 2"],
    },
    {
        "id": "escapes",
        "publisher": "avahi",
        "instance": "Dots. and \\Backslash v2.0",
        "type": "_nlt-escapes._tcp",
        "port": 8080,
        "txt": [
            b"txtvers=1",
            b'q=say "hi"',
            b"bs=C:\\dir\\",
            b"eq=a=b=c",
            b"semi=a;b;c",
            b"sp= lead and trail ",
            b"shell=$HOME & `x` | *?~<>^()[]{}",
        ],
    },
    {
        "id": "bytes",
        "publisher": "avahi",
        "instance": "Café ☕ Ünïcode",
        "type": "_nlt-bytes._tcp",
        "port": 9000,
        "txt": [
            "note=Café ☕".encode(),
            b"bin=\x00\x7f\xff\x01\x1f\x80",
            b"nul=\x00",
            b"tab=a\tb",
            b"nl=a\nb",
        ],
    },
    {
        "id": "dupes",
        "publisher": "avahi",
        "instance": "Duplicates",
        "type": "_nlt-dupes._tcp",
        "port": 80,
        "txt": [b"txtvers=1", b"path=/first", b"PATH=/second", b"path=/third", b"Key=1", b"key=2"],
    },
    {
        "id": "many",
        "publisher": "avahi",
        "instance": "Thirty-three keys",
        "type": "_nlt-many._tcp",
        "port": 5000,
        "txt": [b"txtvers=1"] + [f"k{i:02}={i}".encode() for i in range(1, 33)],
    },
    {
        # Avahi answers a unicast (dig) query only when the answer fits 512 bytes, so the longest
        # string gets a record of its own.
        "id": "long",
        "publisher": "avahi",
        "instance": "The longest string",
        "type": "_nlt-long._tcp",
        "port": 5001,
        "txt": [b"txtvers=1", LONG, b"after=1"],
    },
    {
        "id": "empty",
        "publisher": "avahi",
        "instance": "Empty record",
        "type": "_nlt-empty._tcp",
        "port": 7,
        "txt": [],
    },
    {
        # Avahi's D-Bus API refuses an empty string ("Invalid record"): python-zeroconf takes the
        # raw RDATA.
        "id": "gap",
        "publisher": "zeroconf",
        "instance": "Empty string between",
        "type": "_nlt-gap._tcp",
        "port": 7,
        "raw": b"\x03a=1\x00\x03b=2",
    },
    {
        "id": "zeroconf",
        "publisher": "zeroconf",
        # python-zeroconf takes the full name as text and does not escape a dot in the instance
        # (it would become two labels), so dots and backslashes are Avahi's cases only.
        "instance": "Zeroconf Ünïcode Device",
        "type": "_nlt-zc._tcp",
        "port": 8123,
        "properties": [
            [b"txtvers", b"1"],
            [b"flag", None],
            [b"empty", b""],
            [b"bin", b"\x00\xff"],
            [b"text", "Café".encode()],
        ],
    },
]


def run(argv, cap=15, ok=(0,)):
    """Runs `argv` to completion (bounded); its stdout as text."""
    done = subprocess.run(argv, capture_output=True, timeout=remaining(cap))
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode(errors="surrogateescape")


def escape_label(data: bytes) -> str:
    """A DNS label in presentation form (dig's input): `\\.`, `\\\\`, `\\DDD` for the rest."""
    out = []
    for b in data:
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_"):
            out.append(c)
        elif c in ".\\":
            out.append("\\" + c)
        else:
            out.append(f"\\{b:03d}")
    return "".join(out)


class Harness:
    def __init__(self, out_dir, dns_sd=None, netlens=None):
        self.out = out_dir
        self.dns_sd = dns_sd
        self.netlens = netlens
        self.ns_avahi = f"netlens-dnssd-{os.getpid()}-avahi"
        self.ns_zc = f"netlens-dnssd-{os.getpid()}-zc"
        self.net = 10 + os.getpid() % 200
        self.avahi_addr = f"10.77.{self.net}.1"
        self.zc_addr = f"10.77.{self.net}.2"
        self.tmp = tempfile.mkdtemp(prefix="netlens-dnssd-")
        self.bus = os.path.join(self.tmp, "bus")
        # Avahi's clients (avahi-browse) find the daemon on the "system" bus: ours.
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={self.bus}"
        self.children = []  # Popen objects, stopped in reverse order
        self.namespaces = []
        self.captures = []

    # ---- the namespace and the daemons ----

    def in_avahi_ns(self, *argv):
        return ["ip", "netns", "exec", self.ns_avahi, *argv]

    def in_zc_ns(self, *argv):
        return ["ip", "netns", "exec", self.ns_zc, *argv]

    def make_namespaces(self):
        for ns in (self.ns_avahi, self.ns_zc):
            run(["ip", "netns", "add", ns])
            self.namespaces.append(ns)
        run(["ip", "-n", self.ns_avahi, "link", "add", "nlt0", "type", "veth", "peer", "name", "nlt1", "netns", self.ns_zc])
        for ns, dev, address in ((self.ns_avahi, "nlt0", self.avahi_addr), (self.ns_zc, "nlt1", self.zc_addr)):
            for argv in (
                ["addr", "add", f"{address}/24", "dev", dev],
                ["link", "set", "lo", "up"],
                ["link", "set", dev, "up", "multicast", "on"],
                # Multicast (224.0.0.251) leaves through the veth.
                ["route", "add", "224.0.0.0/4", "dev", dev],
            ):
                run(["ip", "-n", ns, *argv])

    def start(self, argv, name, ready=None, cap=15, env=None):
        """Starts a child (its stderr into a log); waits until `ready` (a string in its log, or
        a callable) says it is up."""
        log_path = os.path.join(self.tmp, f"{name}.log")
        log = open(log_path, "wb")
        child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        self.children.append((name, child))
        if ready:
            deadline = time.monotonic() + remaining(cap)
            while time.monotonic() < deadline:
                with open(log_path, "rb") as f:
                    if ready() if callable(ready) else ready.encode() in f.read():
                        return child
                if child.poll() is not None:
                    break
                time.sleep(0.05)
            with open(log_path, "rb") as f:
                raise RuntimeError(f"{name} did not start: {f.read().decode(errors='replace')[-600:]}")
        return child

    def start_daemons(self):
        with open(os.path.join(self.tmp, "dbus.conf"), "w") as f:
            f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={self.bus}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/>
    <allow send_type="method_call"/><allow send_type="signal"/>
    <allow send_type="method_return"/><allow send_type="error"/>
    <allow receive_type="method_call"/><allow receive_type="signal"/>
    <allow receive_type="method_return"/><allow receive_type="error"/>
  </policy>
</busconfig>
""")
        self.start(
            ["dbus-daemon", "--nofork", "--nopidfile", f"--config-file={self.tmp}/dbus.conf", "--print-address"],
            "dbus-daemon",
            ready="unix:path=",
        )
        services = os.path.join(self.tmp, "services")
        os.mkdir(services)
        with open(os.path.join(self.tmp, "avahi.conf"), "w") as f:
            f.write("""[server]
host-name=netlens-test
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=nlt0
enable-dbus=yes
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
""")
        # Its own /run/avahi-daemon (pid file) and an empty static services folder: nothing of the
        # machine's avahi is read or disturbed.
        script = (
            "mount -t tmpfs tmpfs /run/avahi-daemon 2>/dev/null || "
            "{ mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon; } && "
            f"mount --bind {services} /etc/avahi/services && "
            f"exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f {self.tmp}/avahi.conf"
        )
        self.start(self.in_avahi_ns("unshare", "--mount", "sh", "-c", script), "avahi-daemon", ready="Server startup complete")

    # ---- publishing ----

    def publish_avahi(self):
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        self.dbus = open_dbus_connection(bus=f"unix:path={self.bus}")

        def call(address, method, signature=None, body=()):
            reply = self.dbus.send_and_get_reply(new_method_call(address, method, signature, body), timeout=remaining(10))
            if reply.header.message_type == MessageType.error:
                raise RuntimeError(f"Avahi {method}: {reply.body}")
            return reply.body

        server = DBusAddress("/", bus_name="org.freedesktop.Avahi", interface="org.freedesktop.Avahi.Server")
        self.avahi_version = call(server, "GetVersionString")[0]
        for s in SERVICES:
            if s["publisher"] != "avahi":
                continue
            path = call(server, "EntryGroupNew")[0]
            group = DBusAddress(path, bus_name="org.freedesktop.Avahi", interface="org.freedesktop.Avahi.EntryGroup")
            # interface -1 (any), protocol 0 (IPv4), flags 0; domain and host: Avahi's own.
            try:
                call(group, "AddService", "iiussssqaay", (-1, 0, 0, s["instance"], s["type"], "", "", s["port"], s["txt"]))
            except RuntimeError as e:
                raise RuntimeError(f"{s['id']}: {e}") from None
            for sub in s.get("subtypes", []):
                call(group, "AddServiceSubtype", "iiussss", (-1, 0, 0, s["instance"], s["type"], "", f"{sub}._sub.{s['type']}"))
            call(group, "Commit")

    def publish_zeroconf(self):
        zc = [s for s in SERVICES if s["publisher"] == "zeroconf"]
        spec = json.dumps(
            [
                {
                    **s,
                    "properties": [[k.hex(), None if v is None else v.hex()] for k, v in s.get("properties", [])],
                    "raw": s["raw"].hex() if "raw" in s else None,
                }
                for s in zc
            ]
        )
        self.start(
            self.in_zc_ns(sys.executable, os.path.abspath(__file__), "--zeroconf-publish", self.zc_addr, spec),
            "zeroconf-publisher",
            ready="published",
        )

    # ---- capturing ----

    def save(self, service, tool, fmt, text):
        name = f"{service['id']}.{tool.replace(' ', '_').replace('-', '').replace('+', '')}.txt"
        with open(os.path.join(self.out, name), "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        self.captures.append({"service": service["id"], "tool": tool, "format": fmt, "file": name})

    def browse(self, service, flags):
        """`avahi-browse -<flags>t TYPE` once the service shows resolved (bounded retries)."""
        argv = self.in_avahi_ns("avahi-browse", f"-{flags}t", service["type"])
        for _ in range(20):
            text = run(argv, cap=10)
            resolved = [l for l in text.splitlines() if l.startswith("=")]
            if resolved and ("p" in flags or "txt = [" in text):
                return text
            time.sleep(0.25)
        raise RuntimeError(f"avahi-browse never resolved {service['type']}: {text!r}")

    def start_mdnsd(self):
        """mDNSResponder's POSIX daemon in python-zeroconf's namespace (both share port 5353
        for multicast), with its own /run, so its socket (/var/run/mdnsd) is a file here."""
        run_dir = os.path.join(self.tmp, "mdnsd-run")
        os.mkdir(run_dir)
        self.mdnsd_socket = os.path.join(run_dir, "mdnsd")
        script = f"mount --bind {run_dir} /run && exec {self.dns_sd}/mdnsd -debug"
        self.start(
            self.in_zc_ns("unshare", "--mount", "sh", "-c", script),
            "mdnsd",
            ready=lambda: os.path.exists(self.mdnsd_socket),
        )

    def capture_dns_sd(self):
        """`dns-sd -B`, `-L`, `-Z` and `-Q` for every service, all at once (each runs until
        stopped: Ctrl-C after a few seconds, as a user would)."""
        env = dict(os.environ, DNSSD_UDS_PATH=self.mdnsd_socket, LD_LIBRARY_PATH=self.dns_sd)
        runs = []
        for s in SERVICES:
            full = f"{escape_label(s['instance'].encode())}.{s['type']}.local."
            for flag, args, fmt in (
                ("-B", [s["type"]], None),
                ("-L", [s["instance"], s["type"]], "dns-sd"),
                ("-Z", [s["type"]], "dns-sd-zone"),
                ("-Q", [full, "TXT"], "hex"),
            ):
                argv = self.in_zc_ns("timeout", "-s", "INT", "6", f"{self.dns_sd}/dns-sd", flag, *args)
                child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
                runs.append((s, flag, fmt, child))
        for s, flag, fmt, child in runs:
            out, _ = child.communicate(timeout=remaining(20))
            self.save(s, f"dns-sd {flag}", fmt, out.decode(errors="surrogateescape"))

    def capture_browse(self):
        """`netlens dnssd browse` per type and for all types, all at once (each bounded by its
        own --timeout)."""
        runs = []
        for s in SERVICES + [None]:
            args = [s["type"]] if s else []
            argv = self.in_zc_ns(self.netlens, "dnssd", "browse", *args, "--json", "--timeout", "4", "--interface", self.zc_addr)
            runs.append((s, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        for s, child in runs:
            out, err = child.communicate(timeout=remaining(20))
            if child.returncode not in (0, 1):
                raise RuntimeError(f"netlens dnssd browse failed: {err.decode(errors='replace')}")
            if s:
                self.save(s, "netlens dnssd browse", "browse", out.decode())
            else:
                with open(os.path.join(self.out, "browse-all.json"), "w") as f:
                    f.write(out.decode())

    def capture(self):
        # python-zeroconf first, while Avahi's announcements are fresh: it cannot ask for a name
        # with a dot in its instance label (it splits it), so it reads those from what it heard.
        wire = self.zeroconf_views()
        if self.dns_sd:
            self.capture_dns_sd()
        if self.netlens:
            self.capture_browse()
        for s in SERVICES:
            s["wire"] = [w for w in wire[s["id"]]["wire"]]
            s["host"] = wire[s["id"]]["server"]
            for flags, fmt in (("r", "avahi"), ("rp", "avahi-rp"), ("rpk", "avahi-rp")):
                self.save(s, f"avahi-browse -{flags}", fmt, self.browse(s, flags))
            # dig asks the publisher itself, from its namespace (unicast to port 5353).
            in_ns = self.in_avahi_ns if s["publisher"] == "avahi" else self.in_zc_ns
            server = self.avahi_addr if s["publisher"] == "avahi" else self.zc_addr
            name = f"{escape_label(s['instance'].encode())}.{s['type']}.local"
            dig = ["dig", "-p", "5353", f"@{server}", name, "TXT", "+time=2", "+tries=3"]
            full = run(in_ns(*dig), cap=15)
            if "ANSWER SECTION" not in full:
                raise RuntimeError(f"dig got no answer for {name}: {full}")
            self.save(s, "dig", "dig", full)
            self.save(s, "dig +short", "dig", run(in_ns(*dig, "+short"), cap=15))
            for view, text in wire[s["id"]]["views"].items():
                self.save(s, f"zeroconf {view}", "zeroconf", text)
        for s in SERVICES:
            for sub in s.get("subtypes", []):
                sub_type = dict(s, type=f"{sub}._sub.{s['type']}")
                self.save(s, "avahi-browse -rpk subtype", "avahi-rp", self.browse(sub_type, "rpk"))

    def zeroconf_views(self):
        spec = json.dumps([{"id": s["id"], "type": s["type"], "instance": s["instance"]} for s in SERVICES])
        out = run(self.in_zc_ns(sys.executable, os.path.abspath(__file__), "--zeroconf-resolve", self.zc_addr, spec), cap=40)
        return json.loads(out)

    # ---- all of it ----

    def run(self):
        self.make_namespaces()
        self.start_daemons()
        self.publish_avahi()
        self.publish_zeroconf()
        if self.dns_sd:
            self.start_mdnsd()
        self.capture()
        import zeroconf

        manifest = {
            "tools": {
                "avahi": self.avahi_version,
                "dig": run_stderr(["dig", "-v"]),
                "python-zeroconf": f"python-zeroconf {zeroconf.__version__}",
            },
            "services": [
                {
                    "id": s["id"],
                    "publisher": s["publisher"],
                    "instance": s["instance"],
                    "type": s["type"],
                    "subtypes": s.get("subtypes", []),
                    "port": s["port"],
                    "host": s["host"],
                    "wire": s["wire"],
                }
                for s in SERVICES
            ],
            "captures": self.captures,
        }
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)

    def cleanup(self):
        if getattr(self, "dbus", None):
            self.dbus.close()
        for name, child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait(timeout=5)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_stderr(argv):
    return subprocess.run(argv, capture_output=True, timeout=5).stderr.decode().strip()


# ---- the python-zeroconf halves (run inside the namespace) ----


def zeroconf_publish(address, spec):
    from zeroconf import ServiceInfo, Zeroconf

    zc = Zeroconf(interfaces=[address])
    for s in json.loads(spec):
        props = {bytes.fromhex(k): None if v is None else bytes.fromhex(v) for k, v in s["properties"]}
        if s["raw"] is not None:
            props = bytes.fromhex(s["raw"])  # the TXT RDATA as it is
        info = ServiceInfo(
            f"{s['type']}.local.",
            f"{s['instance']}.{s['type']}.local.",
            port=s["port"],
            properties=props,
            server="netlens-zeroconf.local.",
            addresses=[bytes(int(p) for p in address.split("."))],
        )
        zc.register_service(info, allow_name_change=False)
    print("published", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    zc.close()


def zeroconf_resolve(address, spec):
    """Resolves every service off the network; prints, per service, the wire strings (hex) and
    the four views people paste."""
    from zeroconf import ServiceInfo, Zeroconf

    zc = Zeroconf(interfaces=[address])
    out = {}
    try:
        for s in json.loads(spec):
            info = ServiceInfo(f"{s['type']}.local.", f"{s['instance']}.{s['type']}.local.")
            for _ in range(10):
                if info.request(zc, 3000) and info.text is not None:
                    break
            else:
                raise RuntimeError(f"python-zeroconf could not resolve {s['instance']}")
            text, strings, i = info.text, [], 0
            while i < len(text):
                n = text[i]
                strings.append(text[i + 1 : i + 1 + n].hex())
                i += 1 + n
            out[s["id"]] = {
                "wire": strings,
                "server": info.server,
                "views": {
                    "print": str(info),
                    "properties": repr(info.properties),
                    "decoded_properties": repr(info.decoded_properties),
                    "text": repr(info.text),
                },
            }
    finally:
        zc.close()
    print(json.dumps(out))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--zeroconf-publish":
        return zeroconf_publish(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "--zeroconf-resolve":
        return zeroconf_resolve(sys.argv[2], sys.argv[3])
    dns_sd = netlens = None
    while len(sys.argv) >= 4 and sys.argv[-2] in ("--dns-sd", "--browse"):
        if sys.argv[-2] == "--dns-sd":
            dns_sd = os.path.abspath(sys.argv[-1])
        else:
            netlens = os.path.abspath(sys.argv[-1])
        del sys.argv[-2:]
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    if os.geteuid() != 0:
        skip("needs root (network namespaces, a private avahi-daemon)")
    for tool in ("ip", "dbus-daemon", "avahi-daemon", "avahi-browse", "dig", "unshare"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed (Debian: avahi-daemon avahi-utils dbus bind9-dnsutils iproute2)")
    try:
        import jeepney  # noqa: F401
        import zeroconf  # noqa: F401
    except ImportError as e:
        skip(f"{e.name} is missing: run with the venv scripts/setup.sh makes (target/dnssd-venv)")
    probe = subprocess.run(["ip", "netns", "add", f"netlens-probe-{os.getpid()}"], capture_output=True)
    if probe.returncode != 0:
        skip(f"cannot create a network namespace: {probe.stderr.decode().strip()}")
    subprocess.run(["ip", "netns", "del", f"netlens-probe-{os.getpid()}"], capture_output=True)

    os.makedirs(sys.argv[1], exist_ok=True)
    harness = Harness(sys.argv[1], dns_sd, netlens)
    # Stopped from outside (the test's timeout, Ctrl-C): clean up all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        harness.run()
    finally:
        harness.cleanup()
    print(f"{len(harness.captures)} captures of {len(SERVICES)} services in {sys.argv[1]}")


if __name__ == "__main__":
    main()
