"""The hand-written stubs match the runtime: `python3 -m mypy.stubtest` over
swarmbench (and swarmbench.port / swarmbench.bt when their .pyi exist), and
every public name has a docstring.
"""
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import swarmbench

PACKAGE = Path(swarmbench.__file__).parent


def stub_modules():
    # stubtest checks a package's submodules (port.pyi, bt.pyi) too; naming
    # them again makes mypy 1.0.1 fail with "Duplicate module named ...".
    return ["swarmbench"]


def test_stubtest(tmp_path):
    assert (PACKAGE / "__init__.pyi").exists() and (PACKAGE / "py.typed").exists()
    env = dict(os.environ)
    env["MYPY_CACHE_DIR"] = str(tmp_path / "mypy-cache")
    allow = []
    for f in sorted(Path(__file__).parent.glob("stubtest_allowlist*.txt")):
        allow += ["--allowlist", str(f)]
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", *stub_modules(), *allow], cwd=tmp_path,
                         capture_output=True, text=True, timeout=280, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    # The submodules with stubs were checked too (port / bt when their .pyi exist).
    checked = re.search(r"no issues found in (\d+) modules?", out.stdout)
    assert checked, out.stdout
    assert int(checked.group(1)) >= 1 + sum((PACKAGE / f"{sub}.pyi").exists() for sub in ("port", "bt"))


def test_every_public_name_has_a_docstring():
    assert swarmbench.__doc__
    for name in swarmbench.__all__:
        if name == "__version__":
            continue
        obj = getattr(swarmbench, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                assert getattr(member, "__doc__", None), f"{name}.{attr}"
