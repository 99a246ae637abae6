"""Start and stop the processes under test; read their memory and CPU time from /proc.

Every process started through a ``Processes`` context is stopped when the context
exits, also when a benchmark fails. Only 127.0.0.1 is ever bound or contacted.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ADMIN_TOKEN = "bench-admin-token"  # noqa: S105 (a local sandbox's token)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def feedsvc_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a feedsvc process: nothing inherited from a FEEDSVC_* shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env.update(
        FEEDSVC_DATABASE_URL=database_url,
        FEEDSVC_ADMIN_TOKEN=ADMIN_TOKEN,
        FEEDSVC_DEFAULT_THROTTLING="off",
        FEEDSVC_VERIFY_SIGNATURES="true",
    )
    env.update(extra)
    return env


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Processes:
    """A set of child processes, all stopped on exit (SIGTERM, then SIGKILL)."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._procs: list[Proc] = []

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *_exc: object) -> None:
        for proc in reversed(self._procs):
            self.stop(proc)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Proc:
        log_path = self._workdir / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
                argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
            )
        proc = Proc(name, popen, log_path)
        self._procs.append(proc)
        return proc

    def feedsvc(self, name: str, env: dict[str, str], *args: str) -> Proc:
        return self.start(name, [sys.executable, "-m", "feedsvc.cli", *args], env)

    def serve(self, name: str, env: dict[str, str], *, worker: bool) -> tuple[Proc, str]:
        """A ``feedsvc serve`` on a free port; returns it with its base URL once healthy."""
        port = free_port()
        args = ["serve", "--host", HOST, "--port", str(port)]
        proc = self.feedsvc(name, env, *args, *([] if worker else ["--no-worker"]))
        base_url = f"http://{HOST}:{port}"
        wait_healthy(proc, f"{base_url}/health")
        return proc, base_url

    def stop(self, proc: Proc, timeout: float = 20) -> None:
        if proc.popen.poll() is None:
            proc.popen.send_signal(signal.SIGTERM)
            try:
                proc.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
        if proc in self._procs:
            self._procs.remove(proc)


def run_feedsvc(env: dict[str, str], *args: str, timeout: float) -> str:
    """Run a short feedsvc command (seed, db upgrade) to completion; its output."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "feedsvc.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"feedsvc {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_healthy(proc: Proc, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log_tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not become healthy:\n{proc.log_tail()}")


def status_kb(pid: int, key: str) -> int | None:
    """A ``kB`` line of /proc/PID/status (VmRSS, VmHWM); None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def limit_address_space(pid: int, gib: float) -> None:
    """Cap a child's virtual memory so a runaway process fails alone, not the machine."""
    limit = int(gib * 1024**3)
    resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))


class PeakRss(threading.Thread):
    """Samples VmHWM (the kernel's own peak-RSS mark) of some processes until stopped."""

    def __init__(self, procs: list[Proc], interval: float = 0.2) -> None:
        super().__init__(name="peak-rss", daemon=True)
        self._procs = procs
        self._interval = interval
        self._halt = threading.Event()
        self.peak_kb: dict[str, int] = {p.name: 0 for p in procs}

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self._interval)

    def sample(self) -> None:
        for proc in self._procs:
            hwm = status_kb(proc.pid, "VmHWM")
            if hwm is not None:
                self.peak_kb[proc.name] = max(self.peak_kb[proc.name], hwm)

    def stop(self) -> dict[str, int]:
        self._halt.set()
        self.join()
        self.sample()
        return self.peak_kb
