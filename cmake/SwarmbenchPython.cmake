# The Python module (bindings/): pybind11-dev and python3-dev from Debian,
# built for Debian's /usr/bin/python3 (not whatever python3 is first on PATH:
# Debian's numpy, pytest and mypy live only there). SWARMBENCH_BUILD_PYTHON
# defaults to ON when pybind11 and the Python headers are installed; turning
# it ON without them is an error that names the packages.
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python the module is built for")
endif()
find_package(Python 3.9 QUIET COMPONENTS Interpreter Development.Module)
find_package(pybind11 2.10 CONFIG QUIET)

if(Python_FOUND AND pybind11_FOUND)
  set(SWARMBENCH_PYTHON_PACKAGES_FOUND ON)
else()
  set(SWARMBENCH_PYTHON_PACKAGES_FOUND OFF)
endif()

option(SWARMBENCH_BUILD_PYTHON "Build the Python module swarmbench (pybind11-dev, python3-dev)"
       ${SWARMBENCH_PYTHON_PACKAGES_FOUND})

if(SWARMBENCH_BUILD_PYTHON AND NOT SWARMBENCH_PYTHON_PACKAGES_FOUND)
  message(FATAL_ERROR "SWARMBENCH_BUILD_PYTHON needs Debian's pybind11-dev and python3-dev "
                      "(found Python: ${Python_FOUND}, pybind11: ${pybind11_FOUND}); "
                      "install them or pass -DSWARMBENCH_BUILD_PYTHON=OFF")
endif()

if(SWARMBENCH_BUILD_PYTHON)
  # The engine's static libraries are linked into a shared module.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  # Where `cmake --install` puts the package, relative to the prefix: the
  # directory Debian's python3 searches under /usr/local.
  set(SWARMBENCH_PYTHON_INSTALL_DIR "lib/python${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}/dist-packages"
      CACHE STRING "Install directory of the Python package, relative to the prefix")
endif()
