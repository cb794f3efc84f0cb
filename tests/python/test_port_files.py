"""swarmbench.port on regular files, on every backend: positioned reads and
writes past 4 GiB in a sparse file, numpy buffers, fsync, end of file,
O_DIRECT with aligned memory, and open errors."""
from __future__ import annotations

import errno
import mmap
import os

import numpy as np
import pytest

from swarmbench import port
from port_support import backend, collect_n, ok, p  # noqa: F401 (fixtures)

GiB = 1 << 30


def test_write_and_read_back_beyond_4_gib(p, tmp_path):
    path = tmp_path / "sparse.bin"
    f = p.open_file(path, create=True, truncate=True)
    assert f.path == str(path) and repr(f).startswith("<swarmbench.port.File")
    offsets = [0, 4 * GiB - 8192, 4 * GiB + 12345, 9 * GiB]  # one write straddles 4 GiB
    blocks = [np.random.default_rng(i).integers(0, 256, 16384, dtype=np.uint8) for i in range(len(offsets))]
    for off, blk in zip(offsets, blocks):
        op = p.write_at(f, blk, off, tag=off)
        assert op.offset == off and op.kind == "write_at"
    cs = collect_n(p, len(offsets))
    assert sorted(ok(c).tag for c in cs) == offsets
    assert all(c.result == 16384 for c in cs)
    p.fsync(f, tag="fsync")
    p.fsync(f, data_only=True, tag="fdatasync")
    cs = {c.tag: ok(c) for c in collect_n(p, 2)}
    assert cs["fsync"].op.kind == "fsync" and cs["fdatasync"].op.kind == "fdatasync"
    assert os.path.getsize(path) == 9 * GiB + 16384

    back = [np.zeros(16384, dtype=np.uint8) for _ in offsets]
    for off, buf in zip(offsets, back):
        p.read_at(f, buf, off)
    assert all(ok(c).result == 16384 for c in collect_n(p, len(offsets)))
    for want, got in zip(blocks, back):
        np.testing.assert_array_equal(want, got)
    # What the kernel sees agrees (the engine wrote the callers' memory).
    with open(path, "rb") as plain:
        plain.seek(4 * GiB + 12345)
        assert plain.read(16384) == blocks[2].tobytes()


def test_read_at_end_of_file_is_short(p, tmp_path):
    path = tmp_path / "short.bin"
    path.write_bytes(b"0123456789")
    f = p.open_file(path, read_only=True)
    buf = bytearray(100)
    p.read_at(f, buf, 4)
    p.read_at(f, memoryview(buf)[50:], 1 << 40)  # far past the end
    cs = sorted(collect_n(p, 2), key=lambda c: c.op.offset)
    assert ok(cs[0]).result == 6 and bytes(buf[:6]) == b"456789"
    assert ok(cs[1]).result == 0


def test_write_to_read_only_file_fails_in_completion(p, tmp_path):
    path = tmp_path / "ro.bin"
    path.write_bytes(b"x" * 10)
    f = p.open_file(path, read_only=True)
    p.write_at(f, b"data", 0)
    [c] = collect_n(p, 1)
    assert c.error == errno.EBADF and c.message.startswith("write_at offset 0")


def test_preallocate_sizes_the_file(p, tmp_path):
    path = tmp_path / "pre.bin"
    f = p.open_file(path, preallocate=1 << 20)
    assert os.path.getsize(path) == 1 << 20
    f.close()
    assert f.closed


def test_direct_io_with_aligned_memory(p, tmp_path):
    path = tmp_path / "direct.bin"
    try:
        f = p.open_file(path, direct=True, truncate=True)
    except OSError as e:
        if e.errno == errno.EINVAL:
            pytest.skip(f"O_DIRECT unsupported on {tmp_path} (tmpfs?): {e}")
        raise
    out = mmap.mmap(-1, 8192)  # page-aligned anonymous memory
    out.write(bytes(range(256)) * 32)
    back = mmap.mmap(-1, 8192)
    p.write_at(f, out, 4096)
    assert ok(collect_n(p, 1)[0]).result == 8192
    p.read_at(f, back, 4096)
    assert ok(collect_n(p, 1)[0]).result == 8192
    assert back[:] == out[:]


def test_open_errors_raise_oserror(p, tmp_path):
    missing = tmp_path / "missing.bin"
    with pytest.raises(OSError) as info:
        p.open_file(missing, read_only=True)
    assert info.value.errno == errno.ENOENT
    assert str(missing) in str(info.value)
    with pytest.raises(OSError) as info:
        p.open_file(tmp_path / "no" / "dir" / "x.bin")
    assert info.value.errno == errno.ENOENT
    f = p.open_file(tmp_path / "ok.bin")
    with pytest.raises(ValueError, match="offset"):
        p.write_at(f, b"x", 1 << 63)
    with pytest.raises((OverflowError, TypeError)):
        p.write_at(f, b"x", -1)
    with pytest.raises(TypeError):
        p.read_at(f, b"immutable", 0)
