#!/usr/bin/env bash
# Installs DuckDB's engine, header and the fts extension into .deps/duckdb (a link into a
# per-user cache, so a second clone or a second run costs nothing).
#
#   .deps/duckdb/include/duckdb.h        from the duckdb sdist of the pinned version
#   .deps/duckdb/lib/libduckdb.so        the engine the binaries link to (see below)
#   .deps/duckdb/extensions/*.duckdb_extension   LOADed by path, never from the internet
#
# Engine sources, in order:
#   DUCKDB_LIB_DIR=/dir/with/libduckdb.so   a user's own build of the same version
#   otherwise the official `duckdb` PyPI wheel, whose native module exports DuckDB's C API.
#   That module needs the shared libpython it was built for, so libduckdb.so is then a
#   GNU ld script naming both, and both sit in lib/ where the binaries' rpath points.
set -euo pipefail

DUCKDB_VERSION="${DUCKDB_VERSION:-1.5.5}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE_ROOT="${MEMORYD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/memoryd}"
PYTHON="${PYTHON:-python3}"

fail() { echo "bootstrap-duckdb: $*" >&2; exit 1; }

py_tag="$("$PYTHON" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')" \
    || fail "python3 is required (set PYTHON=...)"
source_tag="${DUCKDB_LIB_DIR:+custom}"
flavor="${source_tag:-wheel-$py_tag}"
CACHE="$CACHE_ROOT/duckdb-$DUCKDB_VERSION-$flavor"
STAMP="$CACHE/.complete"

link_into_repo() {
    mkdir -p "$ROOT/.deps"
    if [ "$(readlink "$ROOT/.deps/duckdb" 2>/dev/null)" != "$CACHE" ]; then
        rm -rf "$ROOT/.deps/duckdb"
        ln -s "$CACHE" "$ROOT/.deps/duckdb"
    fi
}

if [ -f "$STAMP" ]; then
    link_into_repo
    exit 0
fi

echo "bootstrap-duckdb: installing DuckDB $DUCKDB_VERSION ($flavor) into $CACHE"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
rm -rf "$CACHE"
mkdir -p "$CACHE/include" "$CACHE/lib" "$CACHE/extensions"

pip_download() {
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps -d "$WORK/dl" "$@" \
        || fail "pip download $* failed (is PyPI reachable?)"
}

# Header: from the sdist of the same version (--no-binary for this one package only; ':all:'
# would try to build CMake).
pip_download --no-binary duckdb "duckdb==$DUCKDB_VERSION"
tar -xzf "$WORK/dl/duckdb-$DUCKDB_VERSION.tar.gz" -C "$WORK" \
    "duckdb-$DUCKDB_VERSION/external/duckdb/src/include/duckdb.h"
cp "$WORK/duckdb-$DUCKDB_VERSION/external/duckdb/src/include/duckdb.h" "$CACHE/include/"

# Extensions: the official wheels are built for exactly this engine version.
for ext in fts; do
    pip_download --only-binary :all: "duckdb-extension-$ext==$DUCKDB_VERSION"
    "$PYTHON" - "$WORK/dl" "$ext" "$CACHE/extensions" <<'PY'
import glob, sys, zipfile, os
dl, ext, out = sys.argv[1:]
wheel = glob.glob(os.path.join(dl, f"duckdb_extension_{ext}-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith(f"/{ext}.duckdb_extension"))
    with z.open(member) as src, open(os.path.join(out, f"{ext}.duckdb_extension"), "wb") as dst:
        dst.write(src.read())
PY
done

if [ -n "${DUCKDB_LIB_DIR:-}" ]; then
    [ -f "$DUCKDB_LIB_DIR/libduckdb.so" ] || fail "DUCKDB_LIB_DIR=$DUCKDB_LIB_DIR has no libduckdb.so"
    ln -s "$DUCKDB_LIB_DIR/libduckdb.so" "$CACHE/lib/libduckdb.so"
else
    # The wheel's module resolves Python symbols from the process, so link libpython too.
    read -r py_ver py_libdir < <("$PYTHON" -c 'import sys, sysconfig; print(f"{sys.version_info[0]}.{sys.version_info[1]}", sysconfig.get_config_var("LIBDIR"))')
    libpython=""
    multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
    for dir in "$py_libdir" "/usr/lib/$multiarch" /usr/lib /usr/local/lib; do
        if [ -f "$dir/libpython$py_ver.so.1.0" ]; then libpython="$dir/libpython$py_ver.so.1.0"; break; fi
    done
    [ -n "$libpython" ] || fail "the duckdb wheel needs the shared libpython$py_ver.so.1.0, which $PYTHON does not have: install the Debian package libpython$py_ver (apt-get install libpython$py_ver), or set DUCKDB_LIB_DIR to a directory holding libduckdb.so $DUCKDB_VERSION"

    pip_download --only-binary :all: "duckdb==$DUCKDB_VERSION"
    "$PYTHON" - "$WORK/dl" "$CACHE/lib/libduckdb_capi.so" <<'PY'
import glob, sys, zipfile, os
dl, out = sys.argv[1:]
wheel = glob.glob(os.path.join(dl, "duckdb-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.startswith("_duckdb.") and n.endswith(".so"))
    with z.open(member) as src, open(out, "wb") as dst:
        dst.write(src.read())
PY
    ln -s "$libpython" "$CACHE/lib/libpython$py_ver.so.1.0"
    echo "INPUT(libduckdb_capi.so libpython$py_ver.so.1.0)" > "$CACHE/lib/libduckdb.so"
fi

echo "$DUCKDB_VERSION" > "$CACHE/VERSION"
touch "$STAMP"
link_into_repo
echo "bootstrap-duckdb: done"
