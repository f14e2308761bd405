"""Uploads are authenticated before their body is read; operations endpoints are off the
public port. Through the real gateway started by the launcher."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

from deploy.local import launcher
from deploy.local.system import RunningSystem

MB = 1 << 20


def read_answer(sock: socket.socket) -> bytes:
    """The whole HTTP answer: its head and as much body as its Content-Length says (a server
    may write the head and the body in separate segments, so one recv() can stop early)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_anonymous_150_mb_upload_is_refused_before_its_body_is_read(
        secure_system: RunningSystem) -> None:
    """Declare 150 MB, send 64 KiB, and wait: the 401 comes while 99.9 % is still unsent."""
    url = urlsplit(secure_system.base_url)
    head = (b"POST /v1/admin/imports HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"Content-Length: {150 * MB}\r\n\r\n".encode())
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head + b"--b\r\nContent-Disposition: form-data; name=\"file\"; "
                     b"filename=\"big.csv\"\r\n\r\n" + b"x" * (64 * 1024))
        data = sock.recv(65536)
    status = int(data.split(b" ", 2)[1])
    assert status == 401, data[:300]
    assert b"www-authenticate: bearer" in data.lower()


def test_upload_with_a_token_lacking_the_import_scope_is_403_before_reading(
        secure_system: RunningSystem) -> None:
    url = urlsplit(secure_system.base_url)
    head = (b"POST /v1/admin/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not.a.jwt\r\n"
            + f"Content-Type: text/csv\r\nContent-Length: {150 * MB}\r\n\r\n".encode())
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head + b"x" * 1024)
        data = sock.recv(65536)
    assert int(data.split(b" ", 2)[1]) == 401, data[:300]


def test_default_upload_limit_is_50_mb(secure_system: RunningSystem, admin_token: str) -> None:
    url = urlsplit(secure_system.base_url)
    head = (b"POST /v1/admin/imports HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {admin_token}\r\n".encode()
            + f"Content-Type: text/csv\r\nContent-Length: {51 * MB}\r\n\r\n".encode())
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head)
        data = read_answer(sock)
    assert int(data.split(b" ", 2)[1]) == 413, data[:300]
    assert b"too_large" in data


def test_metrics_are_not_served_on_the_public_port(client: httpx.Client) -> None:
    assert client.get("/metrics").status_code == 404


def test_public_readyz_says_only_ready_or_not(client: httpx.Client) -> None:
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ready"}


def test_ops_listener_serves_metrics_and_details_on_loopback(secure_system: RunningSystem) -> None:
    gateway = next(s for s in launcher.SERVICES if s.name == "gateway")
    offset = int(dict(gateway.extra_env)["MUSEO_METRICS_PORT"]) - launcher._M
    port = int(secure_system.env["MUSEO_METRICS_BASE_PORT"]) + offset
    deadline = time.monotonic() + 30
    while True:
        try:
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "ops listener not answering"
            time.sleep(0.5)
    assert metrics.status_code == 200
    assert "museo_" in metrics.text
    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json()
    assert ready["status"] == "ready"
    assert ready["checks"]["redis"] == {"ok": True}
