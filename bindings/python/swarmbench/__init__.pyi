# Type stubs for the swarmbench package (hand-written; checked against the
# runtime by tests/python/test_stubs.py with `python3 -m mypy.stubtest`).
import os
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Iterator, Sequence, Union

import numpy
import numpy.typing

__version__: str

_Size = Union[int, str]
_PathLike = Union[str, os.PathLike[str]]
_Array = numpy.typing.NDArray[numpy.float64]
_SampleCallback = Callable[[dict[str, float]], object]

class _pybind11_type(type):
    """The metaclass of the compiled classes (pybind11_builtins.pybind11_type)."""

class Error(RuntimeError):
    """An engine failure; the message is the engine's own."""

class Scenario(metaclass=_pybind11_type):
    """A swarm scenario: every field the CLI's scenario file has."""

    def __init__(
        self,
        *,
        torrent_size: _Size = ...,
        piece_size: _Size = ...,
        file_count: int = ...,
        content_seed: int = ...,
        seeders: int = ...,
        leechers: int = ...,
        connections_per_leecher: int = ...,
        pipeline: int = ...,
        pick: str = ...,
        piece_order: Sequence[int] = ...,
        end_game: bool = ...,
        choking: bool = ...,
        unchoke_slots: int = ...,
        rechoke_interval_s: float = ...,
        optimistic_interval_s: float = ...,
        rate_limit: _Size = ...,
        slow_fraction: float = ...,
        slow_rate: _Size = ...,
        churn_per_s: float = ...,
        storage: str = ...,
        direct: bool = ...,
        preallocate: bool = ...,
        data_dir: str = ...,
        keep_data: bool = ...,
        torrent_file: str = ...,
        content_dir: str = ...,
        upload_to: Sequence[str] = ...,
        spread_sources: bool = ...,
        client_grace_s: float = ...,
        links: Sequence[dict[str, Any]] = ...,
        seeder_link: str = ...,
        duration_s: float = ...,
        timeout_s: float = ...,
        backend: str = ...,
        threads: int = ...,
        interval_ms: int = ...,
        listen_host: str = ...,
        base_port: int = ...,
        connect_to: Sequence[str] = ...,
        seeders_at: Sequence[str] = ...,
        swarm_id: int = ...,
        seed: int = ...,
    ) -> None: ...
    torrent_size: int
    piece_size: int
    file_count: int
    content_seed: int
    seeders: int
    leechers: int
    connections_per_leecher: int
    pipeline: int
    pick: str
    piece_order: list[int]
    end_game: bool
    choking: bool
    unchoke_slots: int
    rechoke_interval_s: float
    optimistic_interval_s: float
    rate_limit: int
    slow_fraction: float
    slow_rate: int
    churn_per_s: float
    storage: str
    direct: bool
    preallocate: bool
    data_dir: str
    keep_data: bool
    torrent_file: str
    content_dir: str
    upload_to: list[str]
    spread_sources: bool
    client_grace_s: float
    links: list[dict[str, Any]]
    seeder_link: str
    duration_s: float
    timeout_s: float
    backend: str
    threads: int
    interval_ms: int
    listen_host: str
    base_port: int
    connect_to: list[str]
    seeders_at: list[str]
    swarm_id: int
    seed: int
    @property
    def total_connections(self) -> int: ...
    @staticmethod
    def fields() -> list[str]: ...
    @staticmethod
    def from_json(source: Union[str, dict[str, Any]]) -> Scenario: ...
    @staticmethod
    def load(path: _PathLike) -> Scenario: ...
    def to_json(self, indent: int = ...) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def save(self, path: _PathLike) -> None: ...
    def validate(self) -> list[str]: ...
    def copy(self, **fields: Any) -> Scenario: ...
    def __copy__(self) -> Scenario: ...
    def __deepcopy__(self, memo: Any) -> Scenario: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class StreamConfig(metaclass=_pybind11_type):
    """The stream baseline: N one-way TCP streams, like iperf3 -P N."""

    def __init__(
        self,
        *,
        role: str = ...,
        connections: int = ...,
        expect_connections: bool = ...,
        seconds: float = ...,
        bytes_per_op: _Size = ...,
        sends_in_flight: int = ...,
        backend: str = ...,
        threads: int = ...,
        target: str = ...,
        listen: str = ...,
        interval_ms: int = ...,
        connect_timeout_ms: int = ...,
        connects_in_flight: int = ...,
    ) -> None: ...
    role: str
    connections: int
    expect_connections: bool
    seconds: float
    bytes_per_op: int
    sends_in_flight: int
    backend: str
    threads: int
    target: str
    listen: str
    interval_ms: int
    connect_timeout_ms: int
    connects_in_flight: int
    @staticmethod
    def fields() -> list[str]: ...
    def validate(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def copy(self, **fields: Any) -> StreamConfig: ...
    def __copy__(self) -> StreamConfig: ...
    def __deepcopy__(self, memo: Any) -> StreamConfig: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class DiskConfig(metaclass=_pybind11_type):
    """The disk baseline: shuffled positioned writes into one file, like fio --rw=randwrite."""

    def __init__(
        self,
        *,
        size: _Size = ...,
        block: _Size = ...,
        queue_depth: int = ...,
        direct: bool = ...,
        fsync: bool = ...,
        file: str = ...,
        dir: str = ...,
        keep: bool = ...,
        backend: str = ...,
        interval_ms: int = ...,
        seed: int = ...,
    ) -> None: ...
    size: int
    block: int
    queue_depth: int
    direct: bool
    fsync: bool
    file: str
    dir: str
    keep: bool
    backend: str
    interval_ms: int
    seed: int
    @staticmethod
    def fields() -> list[str]: ...
    def validate(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def copy(self, **fields: Any) -> DiskConfig: ...
    def __copy__(self) -> DiskConfig: ...
    def __deepcopy__(self, memo: Any) -> DiskConfig: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Event(metaclass=_pybind11_type):
    """Something that changed during a swarm run: a steering change, a fault or a timeline phase."""

    def __init__(self, t_s: float, what: str) -> None: ...
    @property
    def t_s(self) -> float: ...
    @property
    def what(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Result(metaclass=_pybind11_type):
    """One run's results: the results document and its time series."""

    @property
    def mode(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def errors(self) -> list[str]: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def backend(self) -> str: ...
    @property
    def summary(self) -> dict[str, Any]: ...
    @property
    def config(self) -> dict[str, Any]: ...
    @property
    def environment(self) -> dict[str, Any]: ...
    @property
    def peers(self) -> list[dict[str, Any]]: ...
    @property
    def events(self) -> list[Event]: ...
    @property
    def goodput(self) -> float: ...
    @property
    def bytes(self) -> float: ...
    @property
    def seconds(self) -> float: ...
    @property
    def columns(self) -> list[str]: ...
    @property
    def units(self) -> dict[str, str]: ...
    @property
    def rows(self) -> int: ...
    @property
    def timeseries(self) -> _Array: ...
    def column(self, name: str) -> _Array: ...
    def __getitem__(self, name: str) -> _Array: ...
    def __contains__(self, name: object) -> bool: ...
    def series(self) -> dict[str, _Array]: ...
    label: str
    @property
    def dir(self) -> Path | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self, indent: int = ...) -> str: ...
    def export(self, dir: _PathLike, graphs: bool = ...) -> list[Path]: ...
    def check(self) -> None: ...
    def __len__(self) -> int: ...

class Fault(metaclass=_pybind11_type):
    """A fault to inject into a running swarm (Controls.inject, Timeline.fault)."""

    def __init__(self, kind: str, count: int = ..., seconds: float = ...) -> None: ...
    @property
    def kind(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    def __eq__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Controls(metaclass=_pybind11_type):
    """Steering of a running swarm."""

    def __init__(
        self,
        *,
        connections_per_leecher: int | None = ...,
        pipeline: int | None = ...,
        rate_limit: _Size | None = ...,
        slow_rate: _Size | None = ...,
        churn_per_s: float | None = ...,
    ) -> None: ...
    connections_per_leecher: int | None
    pipeline: int | None
    @property
    def rate_limit(self) -> int | None: ...
    @rate_limit.setter
    def rate_limit(self, value: _Size | None) -> None: ...
    @property
    def slow_rate(self) -> int | None: ...
    @slow_rate.setter
    def slow_rate(self, value: _Size | None) -> None: ...
    churn_per_s: float | None
    def inject(self, fault: Fault) -> None: ...
    def reset(self) -> None: ...
    def to_dict(self) -> dict[str, int | float | None]: ...
    @staticmethod
    def names() -> list[str]: ...

class Timeline(metaclass=_pybind11_type):
    """Timed actions on a running swarm, applied in C++ by the run's controller thread."""

    def __init__(self) -> None: ...
    def set(self, t: float, control: str, value: _Size | float | None) -> Timeline: ...
    def ramp(
        self, control: str, t0: float, t1: float, start: _Size | float, end: _Size | float, steps: int = ...
    ) -> Timeline: ...
    def fault(self, t: float, fault: Fault) -> Timeline: ...
    def phase(self, t: float, name: str, **controls: _Size | float | None) -> Timeline: ...
    def clear(self) -> Timeline: ...
    @property
    def actions(self) -> list[tuple[float, str]]: ...
    @property
    def end_s(self) -> float: ...
    def to_json(self, indent: int = ...) -> str: ...
    def save(self, path: _PathLike) -> None: ...
    @staticmethod
    def from_json(text: str) -> Timeline: ...
    @staticmethod
    def load(path: _PathLike) -> Timeline: ...
    def __len__(self) -> int: ...

class SampleIterator(metaclass=_pybind11_type):
    """Iterator over a Run's samples (see Run.samples())."""

    def __iter__(self) -> SampleIterator: ...
    def __next__(self) -> _Array: ...

class Run(metaclass=_pybind11_type):
    """A workload running on its own thread (from start(), start_stream(), start_disk())."""

    @property
    def mode(self) -> str: ...
    @property
    def columns(self) -> list[str]: ...
    @property
    def controls(self) -> Controls | None: ...
    @property
    def running(self) -> bool: ...
    @property
    def dropped(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def progress(self) -> dict[str, Any]: ...
    def poll(self) -> _Array: ...
    def samples(self) -> SampleIterator: ...
    def wait_ended(self, timeout: float | None = ...) -> bool: ...
    def stop(self) -> None: ...
    def result(self, timeout: float | None = ..., check: bool = ...) -> Result: ...
    def __enter__(self) -> Run: ...
    def __exit__(self, arg0: object, arg1: object, arg2: object) -> None: ...

def run(
    scenario: Scenario | None = ...,
    *,
    controls: Controls | None = ...,
    timeline: Timeline | None = ...,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    check: bool = ...,
    **fields: Any,
) -> Result: ...
def start(
    scenario: Scenario | None = ...,
    *,
    controls: Controls | None = ...,
    timeline: Timeline | None = ...,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    **fields: Any,
) -> Run: ...
def run_stream(
    config: StreamConfig | None = ...,
    *,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    check: bool = ...,
    **fields: Any,
) -> Result: ...
def start_stream(
    config: StreamConfig | None = ...,
    *,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    **fields: Any,
) -> Run: ...
def run_disk(
    config: DiskConfig | None = ...,
    *,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    check: bool = ...,
    **fields: Any,
) -> Result: ...
def start_disk(
    config: DiskConfig | None = ...,
    *,
    on_sample: _SampleCallback | None = ...,
    output_dir: _PathLike | None = ...,
    **fields: Any,
) -> Run: ...
def upload_scenario(
    torrent: _PathLike, target: str, connections: int | None = None, data: _PathLike | None = None,
    link: dict[str, Any] | None = None, **fields: Any
) -> Scenario: ...
def download_scenario(
    torrent: _PathLike, target: str, connections: int | None = None, storage: str = "files",
    link: dict[str, Any] | None = None, **fields: Any
) -> Scenario: ...
def seed_scenario(
    torrent: _PathLike, listen: str = "127.0.0.1:0", peers: int | None = None, data: _PathLike | None = None,
    link: dict[str, Any] | None = None, **fields: Any,
) -> Scenario: ...
def load_results(dir: _PathLike) -> Result: ...
def plot(
    runs: Iterable[Result | _PathLike], out_dir: _PathLike, *, width: int = ..., height: int = ..., title: str = ...
) -> list[Path]: ...
def backends() -> list[dict[str, Any]]: ...
def available_backends() -> list[str]: ...
def set_log_level(level: str) -> None: ...

__all__ = [
    "Controls",
    "DiskConfig",
    "Error",
    "Event",
    "Fault",
    "Result",
    "Run",
    "SampleIterator",
    "Scenario",
    "StreamConfig",
    "Timeline",
    "__version__",
    "available_backends",
    "backends",
    "download_scenario",
    "load_results",
    "plot",
    "run",
    "run_disk",
    "run_stream",
    "seed_scenario",
    "set_log_level",
    "start",
    "start_disk",
    "start_stream",
    "upload_scenario",
]
