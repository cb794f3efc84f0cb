"""swarmbench.port: the completion port, low level.

One :class:`Port` is one engine context (io_uring, epoll or IOCP). Open
handles, submit operations over buffer-protocol objects (bytes, bytearray,
memoryview, numpy arrays, mmap) and collect completions in batches; the
engine reads and writes the caller's memory directly (no copies), holding
each buffer from submit until :meth:`Port.wait` returns its completion::

    from swarmbench import port

    with port.Port() as p:                       # backend="auto" | "io_uring" | "epoll"
        listener = p.listen(("127.0.0.1", 0))
        p.accept(listener, tag="accept")
        client = p.tcp_socket()
        p.connect(client, listener.local_address, timeout=5, tag="connect")
        done = {c.tag: c for c in p.wait(min_complete=2, timeout=5)}
        server = done["accept"].socket           # a Socket owned by p
        buf = bytearray(5)
        p.send(client, b"hello", tag="send")
        p.recv(server, buf, all=True, tag="recv")  # lands in buf itself
        for c in p.wait(min_complete=2, timeout=5):
            if c.error is not None:
                raise OSError(c.error, c.message)
        assert buf == b"hello"

Rules:

* Every submitted operation completes exactly once (a multishot accept once
  per connection with ``more=True``, then once more); cancel() and closing a
  handle make pending operations complete with ``errno.ECANCELED``.
* Errors of operations come back in ``Completion.error`` (an errno value)
  and ``Completion.message`` (the engine's description); bad arguments raise
  TypeError / ValueError, failed opens raise OSError, a backend that cannot
  run raises :class:`swarmbench.Error`.
* wait() runs the engine with the GIL released; a Port is used by one thread
  at a time (a call while another thread waits raises RuntimeError).
* Dropping a Port, a handle or an Op is always safe: the Port cancels what is
  pending, releases the buffers and closes its handles, also at interpreter
  exit.
* :meth:`Port.resubmit` restarts a finished Op with the same arguments, the
  cheap way to keep a stream of sends or recvs going.

Which backends can run here: :func:`available_backends`, and
:func:`unavailable_reason` says why one cannot.
"""
from ._swarmbench import port as _port

Port = _port.Port
Op = _port.Op
Completion = _port.Completion
Handle = _port.Handle
Listener = _port.Listener
Socket = _port.Socket
File = _port.File
compiled_backends = _port.compiled_backends
available_backends = _port.available_backends
unavailable_reason = _port.unavailable_reason

__all__ = [
    "Completion",
    "File",
    "Handle",
    "Listener",
    "Op",
    "Port",
    "Socket",
    "available_backends",
    "compiled_backends",
    "unavailable_reason",
]
