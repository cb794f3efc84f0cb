"""Scenario, StreamConfig and DiskConfig (bindings/src/bind_scenario.cpp).

The messages are the engine's: a Scenario keyword gets exactly the error the
same key gets in a scenario file (Scenario.from_json goes through the
engine's parse_scenario, as `swarmbench run --scenario` does).
"""
import copy
import json
import pickle

import pytest

import swarmbench


def from_file_error(**fields):
    with pytest.raises(ValueError) as err:
        swarmbench.Scenario.from_json(json.dumps(fields))
    return str(err.value)


def test_defaults_are_the_engines():
    s = swarmbench.Scenario()
    assert s.torrent_size == 1 << 30
    assert s.piece_size == 256 * 1024
    assert s.connections_per_leecher == 64
    assert s.pick == "rarest_first"
    assert s.storage == "files"
    assert s.connect_to == [] and s.piece_order == []
    assert s.total_connections == 4 * 64
    assert list(s.to_dict()) == sorted(swarmbench.Scenario.fields())
    assert s.validate() == []


def test_every_field_is_a_documented_property():
    names = swarmbench.Scenario.fields()
    assert names[0] == "torrent_size" and "piece_order" in names and "seed" in names
    for name in names:
        prop = getattr(swarmbench.Scenario, name)
        assert isinstance(prop, property), name
        assert prop.__doc__ and "undocumented" not in prop.__doc__, name
        assert "Default:" in prop.__doc__, name


def test_keywords_with_python_types():
    s = swarmbench.Scenario(torrent_size="64MiB", piece_size=65536, rate_limit="10MiB", slow_fraction=0.25,
                            end_game=False, pick="sequential", connect_to=["127.0.0.1:6881", "[::1]:7000"],
                            storage="discard", duration_s=2)
    assert s.torrent_size == 64 << 20 and isinstance(s.torrent_size, int)
    assert s.rate_limit == 10 << 20
    assert s.slow_fraction == 0.25 and isinstance(s.duration_s, float) and s.duration_s == 2.0
    assert s.end_game is False
    assert s.connect_to[0] == "127.0.0.1:6881" and s.connect_to[1].endswith("]:7000")  # the engine's IPv6 text
    s.pipeline = 32
    s.slow_rate = "512KiB"
    assert s.pipeline == 32 and s.slow_rate == 512 << 10


@pytest.mark.parametrize("fields", [
    {"pipeline": 0},
    {"connections_per_leecher": 10001},
    {"piece_size": "100KiB"},
    {"torrent_size": "lots"},
    {"rate_limit": 5},
    {"slow_fraction": 1.5},
    {"pick": "fastest"},
    {"storage": "tape"},
    {"backend": "kqueue"},
    {"interval_ms": 5},
    {"connect_to": ["nonsense"]},
    {"listen_host": "not-an-address"},
    {"seeders": 0},
    {"storage": "discard", "direct": True},
    {"pick": "custom"},
    {"piece_order": [3, 1]},
    {"pick": "custom", "piece_order": [1, 1]},
    {"torrent_size": "1MiB", "piece_size": "256KiB", "pick": "custom", "piece_order": [4]},
    {"pipeline": -3},
])
def test_bad_values_raise_the_engines_message(fields):
    with pytest.raises(ValueError) as err:
        swarmbench.Scenario(**fields)
    assert str(err.value) == from_file_error(**fields)


def test_exact_messages():
    with pytest.raises(ValueError, match=r"^pipeline: must be 1\.\.2048, got 0$"):
        swarmbench.Scenario(pipeline=0)
    with pytest.raises(ValueError, match="piece 1 is listed twice"):
        swarmbench.Scenario(pick="custom", piece_order=[1, 1])


def test_several_problems_are_listed_together():
    with pytest.raises(ValueError) as err:
        swarmbench.Scenario(pipeline=0, leechers=10001)
    text = str(err.value)
    assert text.startswith("invalid scenario:")
    assert "pipeline: must be 1..2048, got 0" in text and "leechers: must be 0..10000, got 10001" in text


def test_unknown_keyword_suggests_the_field():
    with pytest.raises(TypeError, match=r'seedrs: unknown field \(did you mean "seeders"\?\)'):
        swarmbench.Scenario(seedrs=2)
    s = swarmbench.Scenario()
    with pytest.raises(AttributeError):
        s.seedrs = 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("field,value", [
    ("pipeline", "16"), ("pipeline", 16.0), ("pipeline", True), ("end_game", 1), ("torrent_size", 1.5),
    ("pick", 3), ("connect_to", "127.0.0.1:1"), ("connect_to", [6881]), ("piece_order", ["1"]),
    ("slow_fraction", "0.5"),
])
def test_wrong_python_types_raise_type_error(field, value):
    with pytest.raises(TypeError, match="^" + field):
        swarmbench.Scenario(**{field: value})


def test_setter_checks_the_field_and_keeps_the_old_value():
    s = swarmbench.Scenario()
    with pytest.raises(ValueError, match="pipeline: must be 1..2048, got 4096"):
        s.pipeline = 4096
    assert s.pipeline == 16
    # Cross-field rules wait for validate() (and run()), so fields can be set one by one.
    s.seeders = 0
    assert s.validate() == ["seeders: must be 1..10000 unless connect_to names peers to download from or seeders_at names this run\'s seeders in another process, got 0"]
    s.connect_to = ["127.0.0.1:6881"]
    assert s.validate() == []


def test_custom_piece_order():
    s = swarmbench.Scenario(torrent_size="4MiB", piece_size="64KiB", pick="custom", piece_order=[63, 0, 7])
    assert s.pick == "custom" and s.piece_order == [63, 0, 7]
    s.piece_order = range(3)  # any sequence of ints
    assert s.piece_order == [0, 1, 2]


def test_json_round_trip_and_files(tmp_path):
    s = swarmbench.Scenario(torrent_size="8MiB", leechers=3, storage="discard", connect_to=["127.0.0.1:9"])
    text = s.to_json()
    assert json.loads(text)["leechers"] == 3
    assert swarmbench.Scenario.from_json(text) == s
    assert swarmbench.Scenario.from_json(s.to_dict()) == s
    assert swarmbench.Scenario.from_json({"leechers": 3}).leechers == 3
    path = tmp_path / "sc.json"
    s.save(path)
    assert swarmbench.Scenario.load(path) == s
    assert swarmbench.Scenario.load(str(path)) == s


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        swarmbench.Scenario.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "pipeline": 16,\n  oops\n}\n')
    with pytest.raises(ValueError, match=r"bad\.json: line 3"):
        swarmbench.Scenario.load(bad)
    typo = tmp_path / "typo.json"
    typo.write_text('{"seedrs": 2}')
    with pytest.raises(ValueError, match='did you mean "seeders"'):
        swarmbench.Scenario.load(typo)
    with pytest.raises(ValueError, match="expected a JSON object"):
        swarmbench.Scenario.from_json("[1, 2]")


def test_repr_eq_copy():
    s = swarmbench.Scenario(torrent_size="8MiB", storage="discard")
    assert repr(s) == "Scenario(torrent_size=8388608, storage='discard')"
    assert eval(repr(s), {"Scenario": swarmbench.Scenario}) == s
    assert repr(swarmbench.Scenario()) == "Scenario()"
    t = s.copy(leechers=2)
    assert t.leechers == 2 and s.leechers == 4 and t != s
    u = copy.copy(s)
    u.pipeline = 64
    assert s.pipeline == 16
    assert copy.deepcopy(s) == s
    assert s != "Scenario()"
    with pytest.raises(TypeError):
        hash(s)
    with pytest.raises(ValueError):
        s.copy(pipeline=0)


def test_pickle_keeps_every_field():
    s = swarmbench.Scenario(torrent_size="8MiB", pick="custom", piece_order=[5, 2], connect_to=["127.0.0.1:9"],
                            slow_fraction=0.5, data_dir="/tmp/x ")
    s.seeders = 0  # not valid on its own: still survives the trip
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.data_dir == "/tmp/x "
    c = swarmbench.StreamConfig(connections=3, role="listen", listen="127.0.0.1:5201", seconds=0)
    assert pickle.loads(pickle.dumps(c)) == c
    d = swarmbench.DiskConfig(size="2MiB", fsync=True)
    assert pickle.loads(pickle.dumps(d)) == d


def test_stream_config():
    c = swarmbench.StreamConfig(connections=8, seconds=0.5, bytes_per_op="64KiB")
    assert c.connections == 8 and c.seconds == 0.5 and c.bytes_per_op == 65536
    assert c.role == "loopback" and c.validate() == []
    assert swarmbench.StreamConfig.fields()[0] == "role"
    assert c.to_dict()["connections"] == 8
    assert repr(c) == "StreamConfig(connections=8, seconds=0.5, bytes_per_op=65536)"
    assert c.copy(connections=2).connections == 2 and c.connections == 8
    with pytest.raises(ValueError, match=r"^connections: must be 1\.\.100000, got 0$"):
        swarmbench.StreamConfig(connections=0)
    with pytest.raises(ValueError, match="role: must be"):
        swarmbench.StreamConfig(role="both")
    with pytest.raises(ValueError, match="target: role \"target\" needs"):
        swarmbench.StreamConfig(role="target")
    with pytest.raises(ValueError, match="seconds: must be 0.1..86400"):
        swarmbench.StreamConfig(seconds=0)
    assert swarmbench.StreamConfig(role="listen", listen="127.0.0.1:0", seconds=0).validate() == []
    with pytest.raises(TypeError, match=r'conections: unknown field \(did you mean "connections"\?\)'):
        swarmbench.StreamConfig(conections=1)
    with pytest.raises(TypeError):
        swarmbench.StreamConfig(connections="8")
    for name in swarmbench.StreamConfig.fields():
        assert getattr(swarmbench.StreamConfig, name).__doc__, name


def test_disk_config(tmp_path):
    c = swarmbench.DiskConfig(size="8MiB", block="16KiB", queue_depth=8, dir=str(tmp_path), fsync=True)
    assert c.size == 8 << 20 and c.block == 16384 and c.fsync is True and c.dir == str(tmp_path)
    assert c.validate() == []
    with pytest.raises(ValueError, match=r"size: must be a positive multiple of block \(16 KiB\)"):
        swarmbench.DiskConfig(size=20000)
    with pytest.raises(ValueError, match="block: must be a multiple of 4096 bytes with direct"):
        swarmbench.DiskConfig(block=1024, size="1MiB", direct=True)
    with pytest.raises(ValueError, match="queue_depth: must be 1..4096, got 0"):
        swarmbench.DiskConfig(queue_depth=0)
    with pytest.raises(ValueError, match="file: cannot be combined with dir"):
        swarmbench.DiskConfig(file="/tmp/x", dir="/tmp")
    c.queue_depth = 4
    assert c.queue_depth == 4
    with pytest.raises(ValueError):
        c.queue_depth = 5000
    assert c.queue_depth == 4


def test_backends_and_log_level():
    names = swarmbench.available_backends()
    assert names and set(names) <= {"io_uring", "epoll", "iocp"}
    listed = swarmbench.backends()
    assert [b["name"] for b in listed] == ["io_uring", "epoll", "iocp"]
    assert sum(1 for b in listed if b["default"]) == 1
    for b in listed:
        assert b["available"] == (b["name"] in names)
        assert b["available"] or b["reason"]
    swarmbench.set_log_level("warn")
    with pytest.raises(ValueError, match="level: must be"):
        swarmbench.set_log_level("loud")
