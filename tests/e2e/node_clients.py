"""Real npm MWS clients for the end-to-end tests: install, drive, and reach over TLS.

The clients live in ``tests/e2e/node`` (``package.json`` with exact versions and its lock
file); each ``<client>.js`` driver runs one operation per process and prints JSON. Node
and npm are optional: without them, or without the npm registry, the tests skip.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
INSTALL_TIMEOUT = 300
CALL_TIMEOUT = 30
_MARKER = NODE_DIR / "node_modules" / ".feedsvc-installed"


def install() -> str | None:
    """Install the npm clients unless already installed; the reason they can't be, or None.

    A marker in ``node_modules`` records the lock file it was installed from, so later
    sessions reuse the install and an edited ``package.json`` reinstalls.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not on PATH"
    lock = NODE_DIR / "package-lock.json"
    manifest = lock if lock.exists() else NODE_DIR / "package.json"
    fingerprint = hashlib.sha256(manifest.read_bytes()).hexdigest()
    if _MARKER.exists() and _MARKER.read_text() == fingerprint:
        return None
    command = [npm, "ci" if lock.exists() else "install", "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(
            command,
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"`{' '.join(command[1:])}` did not finish within {INSTALL_TIMEOUT} s"
    if done.returncode != 0:
        lines = (done.stderr + done.stdout).splitlines()
        code = next((line for line in lines if line.startswith("npm error code")), "")
        detail = next((line for line in lines if "Error" in line and " at " not in line), "")
        why = " / ".join(filter(None, (code, detail))) or f"exit status {done.returncode}"
        return f"`npm {command[1]}` failed (no registry access?): {why}"
    _MARKER.write_text(fingerprint)
    return None


@dataclass(frozen=True)
class Outcome:
    """What a driver printed: a result, or an error as the client surfaced it."""

    ok: bool
    result: Any = None
    error: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Driver:
    """One npm client's driver script, acting for one seller against one server."""

    script: str
    base_url: str
    account: Mapping[str, str]
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def call(self, operation: str, **arguments: Any) -> Outcome:
        env = {
            **os.environ,
            **self.extra_env,
            "FEEDSVC_BASE_URL": self.base_url,
            "FEEDSVC_ACCESS_KEY_ID": self.account["access_key_id"],
            "FEEDSVC_SECRET_KEY": self.account["secret_key"],
            "FEEDSVC_SELLER_ID": self.account["seller_id"],
            "FEEDSVC_DRIVER_DEADLINE_MS": str((CALL_TIMEOUT - 5) * 1000),
        }
        node = shutil.which("node") or "node"
        done = subprocess.run(
            [node, self.script, operation, json.dumps(arguments)],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        assert done.returncode == 0 and lines, (
            f"{self.script} {operation} exited {done.returncode}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}"
        )
        printed = json.loads(lines[-1])
        return Outcome(printed["ok"], printed.get("result"), printed.get("error") or {})

    def ok(self, operation: str, **arguments: Any) -> Any:
        outcome = self.call(operation, **arguments)
        assert outcome.ok, f"{self.script} {operation} failed: {outcome.error}"
        return outcome.result


def make_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for ``localhost`` (cert, key), or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    done = subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return (cert, key) if done.returncode == 0 else None


@contextmanager
def tls_terminator(cert: Path, key: Path, upstream_port: int) -> Iterator[int]:
    """A TLS front for the plain-HTTP server on loopback, as a reverse proxy would be.

    Bytes pass through untouched (the Host header included), so the server sees exactly
    the request the client signed. Yields the port to connect to with https.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve(client: socket.socket) -> None:
        with client, suppress(OSError):  # ssl.SSLError is an OSError
            client.settimeout(CALL_TIMEOUT)
            with (
                context.wrap_socket(client, server_side=True) as secure,
                socket.create_connection(
                    ("127.0.0.1", upstream_port), timeout=CALL_TIMEOUT
                ) as upstream,
            ):
                back = threading.Thread(target=pump, args=(upstream, secure), daemon=True)
                back.start()
                pump(secure, upstream)
                back.join(CALL_TIMEOUT)

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(client,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        acceptor.join(5)
        listener.close()
