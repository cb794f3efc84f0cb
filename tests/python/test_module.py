"""The package imports from the build tree and names its version."""
import re

import swarmbench


def test_version_is_semver():
    assert re.fullmatch(r"\d+\.\d+\.\d+", swarmbench.__version__)


def test_error_is_runtime_error():
    assert issubclass(swarmbench.Error, RuntimeError)
    assert swarmbench.Error.__doc__
