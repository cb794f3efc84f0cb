"""swarmbench.port over loopback sockets, on every backend: backends, echo
across many connections, zero-copy buffers, errors in completions, multishot
accept, shutdown, handles and bad arguments."""
from __future__ import annotations

import errno
import re

import numpy as np
import pytest

import swarmbench
from swarmbench import port
from port_support import backend, collect, collect_n, ok, p, socket_pair  # noqa: F401 (fixtures)


# ---------------------------------------------------------------- backends

def test_backends_are_listed_with_reasons():
    compiled = port.compiled_backends()
    available = port.available_backends()
    assert available and set(available) <= set(compiled)
    for name in compiled:
        why = port.unavailable_reason(name)
        assert (why is None) == (name in available)
    assert "Windows" in port.unavailable_reason("iocp")
    with pytest.raises(ValueError, match="expected io_uring, epoll or iocp"):
        port.unavailable_reason("auto")


def test_port_names_its_backend(backend):
    with port.Port(backend) as q:
        assert q.backend == backend
        assert backend in q.backend_reason
        assert not q.closed and q.pending == 0
        assert f"backend={backend}" in repr(q)
    assert q.closed


def test_bad_backend_and_options():
    with pytest.raises(ValueError, match="backend: must be auto, io_uring, epoll or iocp"):
        port.Port("kqueue")
    with pytest.raises(swarmbench.Error, match="iocp"):
        port.Port("iocp")
    with pytest.raises(ValueError, match="queue_entries"):
        port.Port(queue_entries=0)
    with pytest.raises(ValueError, match="batch_size"):
        port.Port(batch_size=0)


def test_module_docstring_example_runs():
    code = re.search(r"::\n\n(.*?)\n\nRules:", port.__doc__, re.S).group(1)
    exec(compile(code.replace("\n    ", "\n").strip(), "port.__doc__", "exec"), {})


# ---------------------------------------------------------------- data paths

def test_echo_over_many_connections(p):
    """32 connections; each client sends 64 KiB in 16 KiB sends, the server
    end echoes every chunk back, the client checks all of it."""
    n, total, chunk = 32, 64 * 1024, 16 * 1024
    pairs = [socket_pair(p) for _ in range(n)]
    payloads = [np.random.default_rng(i).integers(0, 256, total, dtype=np.uint8).tobytes() for i in range(n)]
    echo_bufs = [bytearray(chunk) for _ in range(n)]
    back = [bytearray(total) for _ in range(n)]
    got = [0] * n
    for i, (client, server) in enumerate(pairs):
        for off in range(0, total, chunk):
            p.send(client, memoryview(payloads[i])[off:off + chunk], tag=("send", i))
        p.recv(server, echo_bufs[i], tag=("echo-recv", i))
        p.recv(client, back[i], all=True, tag=("back", i))

    def step(cs):
        for c in cs[step.seen:]:
            ok(c)
            what, i = c.tag
            if what == "echo-recv":
                assert c.result > 0
                # Echo what arrived, then receive again into the same buffer
                # once the echo has been sent (the send holds it meanwhile).
                p.send(pairs[i][1], bytes(echo_bufs[i][:c.result]), tag=("echoed", i))
                got[i] += c.result
                if got[i] < total:
                    p.resubmit(c.op)
            elif what == "back":
                assert c.result == total
                step.done += 1
        step.seen = len(cs)
        return step.done == n
    step.seen = 0
    step.done = 0
    collect(p, step)
    assert back == [bytearray(x) for x in payloads]
    assert got == [total] * n


def test_recv_lands_in_callers_buffers(p):
    """bytearray, memoryview slices and numpy arrays receive in place."""
    client, server = socket_pair(p)
    data = bytes(range(256)) * 64  # 16 KiB
    ba = bytearray(4096)
    arr = np.zeros(4096, dtype=np.uint8)
    words = np.zeros(1024, dtype=np.uint32)        # 4096 bytes as 32-bit words
    big = bytearray(8192)
    window = memoryview(big)[2048:6144]            # the middle 4 KiB
    p.send(client, data)
    for buf in (ba, arr, words, window):
        p.recv(server, buf, all=True, tag=buf)
    cs = collect_n(p, 5)
    assert all(ok(c) for c in cs)
    assert bytes(ba) == data[:4096]
    assert arr.tobytes() == data[4096:8192]
    assert words.tobytes() == data[8192:12288]
    assert bytes(big[2048:6144]) == data[12288:]
    assert big[:2048] == bytearray(2048) and big[6144:] == bytearray(2048)


def test_send_from_any_readable_buffer(p):
    client, server = socket_pair(p)
    parts = [b"bytes", bytearray(b"bytearray"), memoryview(b"xxmemoryviewxx")[2:-2],
             np.frombuffer(b"numpy", dtype=np.uint8)]
    expected = b"".join(bytes(x) for x in parts)
    for x in parts:
        p.send(client, x)
    out = bytearray(len(expected))
    p.recv(server, out, all=True, tag="recv")
    cs = collect_n(p, len(parts) + 1)
    assert all(ok(c) for c in cs)
    assert out == expected


def test_bad_buffers_are_refused(p):
    client, server = socket_pair(p)
    with pytest.raises(TypeError, match="writable"):
        p.recv(server, b"read-only bytes")
    with pytest.raises(TypeError, match="writable"):
        p.recv(server, memoryview(bytearray(8)).toreadonly())
    with pytest.raises(TypeError, match="expected a buffer"):
        p.send(client, [1, 2, 3])
    with pytest.raises(TypeError, match="expected a buffer"):
        p.recv(server, "text")
    with pytest.raises(ValueError, match="contiguous"):
        p.recv(server, np.zeros(64, dtype=np.uint8)[::2])
    with pytest.raises(ValueError, match="empty"):
        p.recv(server, bytearray())
    with pytest.raises(ValueError, match="empty"):
        p.send(client, b"")
    assert p.pending == 0  # nothing refused was submitted


def test_connect_refused_is_reported_in_the_completion(p):
    with p.listen(("127.0.0.1", 0)) as listener:
        address = listener.local_address  # now closed: nothing listens there
    sock = p.tcp_socket()
    op = p.connect(sock, address, timeout=10, tag="c")
    [c] = collect_n(p, 1)
    assert c.op is op and c.tag == "c" and not op.pending
    assert c.error == errno.ECONNREFUSED
    assert "connect to 127.0.0.1:%d" % address[1] in c.message
    assert "refused" in c.message.lower()
    assert sock.peer_address is None


def test_multishot_accept_then_cancel(p):
    listener = p.listen(("127.0.0.1", 0), backlog=64)
    acc = p.accept(listener, multishot=True, tag="acc")
    clients = [p.tcp_socket() for _ in range(5)]
    for s in clients:
        p.connect(s, listener.local_address, timeout=10, tag="conn")
    cs = collect(p, lambda cs: sum(c.tag == "acc" for c in cs) >= 5 and sum(c.tag == "conn" for c in cs) >= 5)
    accepted = [c for c in cs if c.tag == "acc"]
    assert len(accepted) == 5
    for c in accepted:
        ok(c)
        assert c.more and c.op is acc
        assert isinstance(c.socket, port.Socket) and not c.socket.closed
        assert c.peer == c.socket.peer_address and c.peer[0] == "127.0.0.1"
    assert {c.peer for c in accepted} == {s.local_address for s in clients}
    assert acc.pending
    p.cancel(acc)
    [last] = collect_n(p, 1)
    assert last.op is acc and not last.more and last.error == errno.ECANCELED and last.socket is None
    assert not acc.pending and p.pending == 0


def test_shutdown_gives_the_peer_eof(p):
    client, server = socket_pair(p)
    buf = bytearray(64)
    p.send(client, b"last words", tag="send")
    p.shutdown(client, tag="fin")
    p.recv(server, buf, all=True, tag="recv")  # 64 asked, 10 come, then EOF
    cs = {c.tag: ok(c) for c in collect_n(p, 3)}
    assert cs["recv"].result == 10 and bytes(buf[:10]) == b"last words"
    p.recv(server, buf, tag="eof")
    [c] = collect_n(p, 1)
    assert ok(c).result == 0


def test_handles(p):
    listener = p.listen("127.0.0.1:0")
    host, port_number = listener.local_address
    assert host == "127.0.0.1" and port_number > 0
    assert listener.fileno() >= 0 and not listener.closed
    client, server = socket_pair(p)
    assert client.peer_address == server.local_address
    assert server.peer_address == client.local_address
    assert "Socket" in repr(client)
    listener.close()
    listener.close()  # twice is fine
    assert listener.closed and listener.fileno() == -1
    with pytest.raises(ValueError, match="closed"):
        p.accept(listener)
    with pytest.raises(ValueError, match="closed"):
        listener.local_address
    with port.Port() as other:
        with pytest.raises(ValueError, match="another Port"):
            other.send(client, b"x")
    with pytest.raises(TypeError):
        p.send(listener, b"x")  # a Listener is not a Socket
    with pytest.raises(TypeError):
        port.Socket()  # handles come from a Port only


def test_source_address_binding(p):
    sock = p.tcp_socket(("127.0.0.1", 0))
    assert sock.local_address[0] == "127.0.0.1"
    with pytest.raises(OSError) as info:
        p.tcp_socket(("192.0.2.1", 0))  # TEST-NET-1: not configured here
    assert info.value.errno == errno.EADDRNOTAVAIL


def test_bad_addresses(p):
    sock = p.tcp_socket()
    with pytest.raises(ValueError, match="cannot parse address"):
        p.connect(sock, ("not an address", 80))
    with pytest.raises(ValueError, match="port must be 0..65535"):
        p.connect(sock, ("127.0.0.1", 70000))
    with pytest.raises(TypeError, match="address must be"):
        p.connect(sock, 6881)
    with pytest.raises(ValueError, match="timeout"):
        p.connect(sock, ("127.0.0.1", 1), timeout=-1)
    with pytest.raises(OSError) as info:
        p.listen(("127.0.0.1", 0), backlog=1, reuse_port=False) and p.listen(("192.0.2.1", 0))
    assert info.value.errno == errno.EADDRNOTAVAIL
    assert p.pending == 0


def test_every_public_name_has_a_docstring():
    import inspect
    for name in port.__all__:
        obj = getattr(port, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    assert getattr(member, "__doc__", None), f"port.{name}.{attr}"


def test_ipv6_loopback(p):
    try:
        listener = p.listen(("::1", 0))
    except OSError as e:
        pytest.skip(f"no IPv6 loopback here: {e}")
    host, port_number = listener.local_address
    assert host == "::1"
    p.accept(listener, tag="accept")
    client = p.tcp_socket(("::1", 0))
    p.connect(client, f"[::1]:{port_number}", timeout=10, tag="connect")
    cs = {c.tag: ok(c) for c in collect_n(p, 2)}
    assert cs["accept"].peer == client.local_address and client.peer_address == ("::1", port_number)
    buf = bytearray(2)
    p.send(client, b"v6")
    p.recv(cs["accept"].socket, buf, all=True)
    assert all(ok(c) for c in collect_n(p, 2)) and buf == b"v6"
