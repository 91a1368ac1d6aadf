#!/usr/bin/env python3
"""Copy TensorFlow's C API (shared libraries + C headers) out of a TF pip wheel.

usage: extract_wheel.py WHEEL DEPS_DIR

Writes DEPS_DIR/lib/libtensorflow_cc.so.2, DEPS_DIR/lib/libtensorflow_framework.so.2
and the header folders tfjs-node's addon needs under DEPS_DIR/include. Uses only
the standard library (no unzip needed). Exits 2 when the wheel lacks the C API.
"""
import os
import shutil
import sys
import zipfile

LIBS = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
# tfjs-node's binding includes tensorflow/c/{c_api,eager/c_api,tf_*}.h, which
# pull in ctstring headers and (since TF 2.16-ish) xla/tsl/c/tsl_status.h.
# The folders that hold them differ between TF versions: copy whichever exist.
HEADER_DIRS = (
    "tensorflow/c/",
    "tensorflow/core/platform/",
    "tensorflow/tsl/platform/",
    "tsl/platform/",
    "tsl/c/",
    "xla/tsl/c/",
)
INCLUDE_PREFIX = "tensorflow/include/"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    wheel, deps = sys.argv[1], sys.argv[2]
    lib_dir = os.path.join(deps, "lib")
    inc_dir = os.path.join(deps, "include")
    os.makedirs(lib_dir, exist_ok=True)
    os.makedirs(inc_dir, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        missing = [lib for lib in LIBS if f"tensorflow/{lib}" not in names]
        if missing or INCLUDE_PREFIX + "tensorflow/c/c_api.h" not in names:
            print(
                f"extract_wheel: {wheel} has no TensorFlow C API "
                f"(missing: {', '.join(missing) or 'tensorflow/c/c_api.h'})",
                file=sys.stderr,
            )
            return 2
        for lib in LIBS:
            dest = os.path.join(lib_dir, lib)
            with zf.open(f"tensorflow/{lib}") as src, open(dest + ".part", "wb") as out:
                shutil.copyfileobj(src, out, 16 << 20)
            os.chmod(dest + ".part", 0o755)
            os.replace(dest + ".part", dest)
            print(f"extract_wheel: lib/{lib} ({os.path.getsize(dest) >> 20} MiB)")
        count = 0
        for name in names:
            if not name.startswith(INCLUDE_PREFIX) or name.endswith("/"):
                continue
            rel = name[len(INCLUDE_PREFIX):]
            if not rel.startswith(HEADER_DIRS):
                continue
            dest = os.path.join(inc_dir, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with zf.open(name) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
            count += 1
        print(f"extract_wheel: {count} header files -> include/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
