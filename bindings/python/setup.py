"""Builds the `authz` extension module against libauthz, linked statically.

Where libauthz.a comes from:
  - AUTHZ_STATIC_LIB=/path/to/libauthz.a and AUTHZ_INCLUDE=/path/to/include
    (the directory holding authz.h) name a library built elsewhere; the
    archive must be built with -fPIC (the project's `make lib` does so).
  - Otherwise, inside the source tree, `make lib` is run in the top
    directory (two levels up) and build/libauthz.a and include/ are used.

    /usr/bin/python3 -m pip install --no-build-isolation ./bindings/python
    make python        # the same, built in place under build/python/

Nothing is downloaded: only setuptools is needed.
"""
import os
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))


def libauthz():
    lib = os.environ.get("AUTHZ_STATIC_LIB")
    inc = os.environ.get("AUTHZ_INCLUDE")
    if lib:
        if not inc:
            raise SystemExit("AUTHZ_STATIC_LIB is set: set AUTHZ_INCLUDE too")
        return lib, inc
    if not os.path.exists(os.path.join(TOP, "include", "authz.h")):
        raise SystemExit(
            "libauthz not found: build from the authz source tree, or set "
            "AUTHZ_STATIC_LIB and AUTHZ_INCLUDE")
    subprocess.check_call(["make", "-C", TOP, "--no-print-directory",
                           "build/libauthz.a"])
    return os.path.join(TOP, "build", "libauthz.a"), os.path.join(TOP, "include")


def version(inc):
    nums = {}
    with open(os.path.join(inc, "authz.h")) as f:
        for line in f:
            for part in ("MAJOR", "MINOR", "PATCH"):
                key = "#define AUTHZ_VERSION_" + part + " "
                if line.startswith(key):
                    nums[part] = line[len(key):].strip()
    return "%s.%s.%s" % (nums["MAJOR"], nums["MINOR"], nums["PATCH"])


LIB, INC = libauthz()

setup(
    name="authz",
    version=version(INC),
    description="Token scopes and allow lists, compiled once and checked in nanoseconds",
    license="see the authz source tree",
    python_requires=">=3.10",
    ext_modules=[
        Extension(
            "authz._authz",
            sources=["authzmodule.c"],
            include_dirs=[INC],
            extra_objects=[LIB],
            depends=[LIB, os.path.join(INC, "authz.h")],
            # The project's warnings, less -Wpedantic: CPython's slot tables
            # (PyType_Slot) hold functions as void *, which ISO C forbids.
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Wshadow",
                                "-Wconversion", "-Werror",
                                "-Wno-missing-field-initializers",
                                "-Wno-cast-function-type"],
            # The library's symbols stay inside the module: another copy of
            # libauthz in the same process cannot clash with them.
            extra_link_args=["-Wl,--exclude-libs,ALL"],
        )
    ],
    packages=["authz"],
    package_data={"authz": ["__init__.pyi", "py.typed"]},
)
