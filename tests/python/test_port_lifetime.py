"""swarmbench.port lifetimes, on every backend: cancel (exactly one
completion), timers, batching limits, resubmit, closing handles and Ports
with operations pending (buffers released, nothing leaks), one thread at a
time, Ctrl-C in wait(), and interpreter exit with operations pending."""
from __future__ import annotations

import errno
import gc
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from swarmbench import port
from port_support import DEADLINE_S, backend, collect, collect_n, ok, p, socket_pair  # noqa: F401


def exported(buf: bytearray) -> bool:
    """True while someone holds a buffer export of buf (it cannot be resized)."""
    try:
        buf.append(0)
    except BufferError:
        return True
    del buf[-1]
    return False


def test_cancel_pending_recv_completes_once(p):
    client, server = socket_pair(p)
    buf = bytearray(1024)
    op = p.recv(server, buf, tag="r")
    assert op.pending and op.buffer is buf and op.handle is server
    assert exported(buf)
    p.cancel(op)
    [c] = collect_n(p, 1)
    assert c.op is op and c.error == errno.ECANCELED and "recv" in c.message
    assert not op.pending and not exported(buf)
    p.cancel(op)  # no longer pending: nothing happens
    assert p.wait(timeout=0.05) == [] and p.pending == 0


def test_timers_complete_or_cancel_once(p):
    short = p.timer(0.01, tag="short")
    long = p.timer(60, tag="long")
    [c] = collect_n(p, 1)
    assert c.op is short and c.error is None and c.result == 0
    p.cancel(long)
    [c] = collect_n(p, 1)
    assert c.op is long and c.error == errno.ECANCELED
    assert p.wait(timeout=0.05) == []


def test_wait_timeout_and_nothing_pending(p):
    assert p.wait() == []  # nothing pending: returns at once, even without a timeout
    t = p.timer(60)
    assert p.wait(timeout=0.05) == []
    assert p.wait(min_complete=0) == []
    assert t.pending
    p.cancel(t)
    collect_n(p, 1)


def test_max_results_keeps_the_rest(p):
    ops = [p.nop(tag=i) for i in range(10)]
    first = p.wait(min_complete=3, max_results=3, timeout=DEADLINE_S)
    assert [c.tag for c in first] == [0, 1, 2]
    rest = collect_n(p, 7)
    assert [c.tag for c in rest] == list(range(3, 10))
    assert all(not o.pending for o in ops)
    with pytest.raises(ValueError, match="max_results"):
        p.wait(max_results=0)
    with pytest.raises(ValueError, match="min_complete exceeds"):
        p.wait(min_complete=5, max_results=2)


def test_resubmit(p):
    client, server = socket_pair(p)
    buf = bytearray(4)
    op = p.recv(server, buf, all=True, tag="r")
    with pytest.raises(ValueError, match="still pending"):
        p.resubmit(op)
    seen = []
    for word in (b"one!", b"two!", b"3333"):
        p.send(client, word)
        cs = collect(p, lambda cs: any(c.tag == "r" for c in cs))
        assert [ok(c).result for c in cs if c.tag == "r"] == [4]
        seen.append(bytes(buf))
        if word != b"3333":
            p.resubmit(op)
    assert seen == [b"one!", b"two!", b"3333"]
    assert not exported(buf)


def test_closing_a_handle_cancels_its_operations(p):
    client, server = socket_pair(p)
    bufs = [bytearray(64), bytearray(64)]
    ops = [p.recv(server, b) for b in bufs]
    server.close()
    assert server.closed and server.fileno() == -1
    cs = collect_n(p, 2)
    assert {c.op for c in cs} == set(ops)
    assert all(c.error == errno.ECANCELED for c in cs)
    assert not any(exported(b) for b in bufs)
    with pytest.raises(ValueError, match="closed"):
        p.resubmit(ops[0])


def test_dropping_a_socket_closes_it(p):
    client, server = socket_pair(p)
    buf = bytearray(16)
    p.recv(client, buf, tag="r")
    del server
    gc.collect()
    [c] = collect_n(p, 1)
    assert ok(c).result == 0  # the peer's end went away: EOF


def test_dropped_ops_still_complete(p):
    client, server = socket_pair(p)
    buf = bytearray(5)
    p.recv(server, buf, all=True, tag="kept by the Port")  # Op not kept here
    p.send(client, b"hello")
    cs = collect_n(p, 2)
    [r] = [c for c in cs if c.tag == "kept by the Port"]
    assert ok(r).op.kind == "recv" and buf == b"hello"


def test_dropping_the_port_releases_buffers(backend):
    q = port.Port(backend)
    client, server = socket_pair(q)
    buf = bytearray(1 << 16)
    tag = object()
    refs = sys.getrefcount(buf), sys.getrefcount(tag)
    op = q.recv(server, buf, tag=tag)
    q.timer(60)
    q.accept(q.listen(("127.0.0.1", 0)), multishot=True)
    assert exported(buf) and sys.getrefcount(buf) > refs[0]
    del op
    del q  # pending ops are cancelled and completed, buffers released
    gc.collect()
    assert not exported(buf)
    assert (sys.getrefcount(buf), sys.getrefcount(tag)) == refs
    assert client.closed and server.closed and client.fileno() == -1


def test_close_is_final(p, tmp_path):
    client, server = socket_pair(p)
    f = p.open_file(tmp_path / "f.bin")
    buf = bytearray(8)
    op = p.recv(server, buf)
    p.close()
    p.close()
    assert p.closed and "closed" in repr(p) and p.pending == 0
    assert not op.pending and not exported(buf)
    assert client.closed and server.closed and f.closed
    for call in (lambda: p.nop(), lambda: p.wait(), lambda: p.tcp_socket(), lambda: p.timer(1)):
        with pytest.raises(ValueError, match="Port is closed"):
            call()
    client.close()  # closing a handle of a closed Port: nothing to do


def test_one_thread_at_a_time(p):
    client, server = socket_pair(p)
    idle = p.nop()
    collect_n(p, 1)
    p.timer(0.5, tag="timer")
    result = {}
    waiter = threading.Thread(target=lambda: result.setdefault("cs", p.wait(timeout=DEADLINE_S)))
    waiter.start()
    deadline = time.monotonic() + DEADLINE_S
    refused = False
    while waiter.is_alive() and time.monotonic() < deadline:
        try:
            p.cancel(idle)  # a no-op, unless the Port is busy
        except RuntimeError as e:
            assert "one thread at a time" in str(e)
            refused = True
            break
        time.sleep(0.001)
    # Dropping a socket while another thread waits: closed after the wait.
    if refused:
        del server
        gc.collect()
    waiter.join(DEADLINE_S)
    assert not waiter.is_alive()
    assert [c.tag for c in result["cs"]] == ["timer"]
    assert refused, "the waiting thread finished before the check ran"
    buf = bytearray(8)
    p.recv(client, buf, tag="eof")
    [c] = collect_n(p, 1)
    assert ok(c).result == 0


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
def test_ctrl_c_interrupts_wait(p):
    t = p.timer(60, tag="long")
    killer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    killer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            p.wait(timeout=DEADLINE_S)
    finally:
        killer.cancel()
    assert t.pending  # nothing was lost
    p.cancel(t)
    [c] = collect_n(p, 1)
    assert c.error == errno.ECANCELED


EXIT_SCRIPT = textwrap.dedent("""
    import sys, threading
    from swarmbench import port
    p = port.Port(sys.argv[1])
    listener = p.listen(("127.0.0.1", 0))
    p.accept(listener, multishot=True)
    client = p.tcp_socket()
    p.connect(client, listener.local_address, timeout=5)
    done = []
    while len(done) < 2:
        done += p.wait(timeout=5)
    server = [c.socket for c in done if c.socket is not None][0]
    keep = [bytearray(1 << 20) for _ in range(3)]
    p.recv(server, keep[0])
    p.recv(client, keep[1], all=True)
    p.timer(3600)
    f = p.open_file(sys.argv[2])
    p.read_at(f, keep[2], 0)
    # A second Port waiting in a daemon thread while the interpreter exits.
    q = port.Port(sys.argv[1])
    q.timer(3600)
    threading.Thread(target=q.wait, daemon=True).start()
    print("pending", p.pending, flush=True)
""")


def test_interpreter_exit_with_pending_operations(backend, tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"x" * 4096)
    run = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, backend, str(data)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("pending 5"), run.stdout
    assert "Fatal" not in run.stderr and "Traceback" not in run.stderr, run.stderr


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_nothing_leaks_descriptors(backend, tmp_path):
    gc.collect()
    before = open_fds()
    for round in range(3):
        q = port.Port(backend)
        pairs = [socket_pair(q) for _ in range(4)]
        f = q.open_file(tmp_path / f"f{round}.bin")
        q.write_at(f, b"x" * 100, 0)
        for client, server in pairs:
            q.recv(server, bytearray(64))
        q.accept(q.listen(("127.0.0.1", 0)), multishot=True)
        q.timer(60)
        if round == 1:
            pairs[0][1].close()   # a handle closed with an op pending
        if round == 2:
            q.close()
        del q, pairs, f, client, server
        gc.collect()
    assert open_fds() == before


def test_wait_releases_the_gil(p):
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        p.timer(0.3)
        before = count[0]
        [c] = p.wait(timeout=DEADLINE_S)
        during = count[0] - before
    finally:
        stop.set()
        spinner.join(DEADLINE_S)
    assert ok(c).op.kind == "timer"
    assert during > 1000  # the other thread ran while this one waited


def test_a_port_can_move_between_threads(p):
    client, server = socket_pair(p)
    out = {}

    def elsewhere():
        buf = bytearray(3)
        p.recv(server, buf, all=True)
        p.send(client, b"abc")
        out["cs"] = collect_n(p, 2)
        out["buf"] = bytes(buf)

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join(DEADLINE_S)
    assert out["buf"] == b"abc" and all(ok(c) for c in out["cs"])
    assert p.counters["completed"] >= 4 and p.counters["submitted"] >= 4
