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


# The schema's types, as its property docs name them ("... Type: int | str."),
# and how the stubs spell each for a keyword argument.
STUB_SPELLING = {"int": "int", "int | str": "_Size", "float": "float", "bool": "bool", "str": "str",
                 "list[str]": "Sequence[str]", "list[int]": "Sequence[int]",
                 "list[dict[str, Any]]": "Sequence[dict[str, Any]]"}


def stub_classes():
    import ast
    tree = ast.parse((PACKAGE / "__init__.pyi").read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def test_settings_stubs_follow_the_engines_schema():
    """Every settings class's keywords in the stubs are the schema's fields,
    in its order, each typed as the schema's type (a size or rate takes an
    int or a string such as "4MiB")."""
    import ast
    classes = stub_classes()
    for cls in (swarmbench.Scenario, swarmbench.StreamConfig, swarmbench.DiskConfig):
        init = next(f for f in classes[cls.__name__].body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
        stub = {a.arg: ast.unparse(a.annotation) for a in init.args.kwonlyargs}
        assert list(stub) == cls.fields(), f"{cls.__name__}: stub keywords differ from the schema's fields"
        for field in cls.fields():
            doc = getattr(cls, field).__doc__
            schema_type = re.search(r"Type: (.+)\.$", doc.strip()).group(1)
            assert stub[field] == STUB_SPELLING[schema_type], f"{cls.__name__}.{field}: stub {stub[field]}, schema {schema_type}"


def test_controls_stubs_follow_the_live_fields():
    import ast
    node = stub_classes()["Controls"]
    init = next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    keywords = {a.arg: ast.unparse(a.annotation) for a in init.args.kwonlyargs}
    assert list(keywords) == swarmbench.Controls.names()
    setters = {f.name: ast.unparse(f.args.args[1].annotation) for f in node.body
               if isinstance(f, ast.FunctionDef) and any(ast.unparse(d).endswith(".setter") for d in f.decorator_list)}
    for name in swarmbench.Controls.names():
        spelled = STUB_SPELLING[re.search(r"Type: (.+)\.$", getattr(swarmbench.Scenario, name).__doc__.strip()).group(1)]
        assert keywords[name] == f"{spelled} | None", name
        if spelled == "_Size":  # read back as bytes, set as an int or "4MiB"
            assert setters.get(name) == "_Size | None", f"Controls.{name}: the setter must take a size string"
