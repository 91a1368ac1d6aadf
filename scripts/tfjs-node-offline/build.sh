#!/usr/bin/env bash
# Build @tensorflow/tfjs-node without Google storage: take TensorFlow's C API
# (libtensorflow_cc.so.2 + libtensorflow_framework.so.2 + tensorflow/c headers)
# out of a TensorFlow pip wheel, put it where tfjs-node's binding.gyp expects
# libtensorflow, and compile the native addon locally with node-gyp.
#
# Opt-in and outside the workspace: the result lives in a prefix folder (default
# ~/.cache/clade/tfjs-node) and is made visible with NODE_PATH. Nothing in the
# repository's package.json files or lockfile changes.
#
# See docs/tfjs-node-offline.md.  Run with --help for the options.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STAMP_NAME=".clade-tfjs-node.stamp"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/clade"
PREFIX="${CLADE_TFJS_NODE_PREFIX:-$CACHE_ROOT/tfjs-node}"
WHEEL="${CLADE_TF_WHEEL:-}"
TF_PACKAGE="${CLADE_TF_PACKAGE:-tensorflow-cpu}"
TF_VERSION="${CLADE_TF_VERSION:-2.21.*}"
PIP_EXTRA_ARGS="${CLADE_PIP_ARGS:-}"
TFJS_NODE_VERSION="${CLADE_TFJS_NODE_VERSION:-4.22.0}"
TGZ="${CLADE_TFJS_NODE_TGZ:-}"
LINK_FROM="${CLADE_TFJS_LINK_FROM:-$REPO_ROOT/packages/backend}"
MODE="linked" # or standalone
JOBS="${JOBS:-1}"
NICE_LEVEL="${CLADE_NICE:-10}"
WORK_PARENT="${TMPDIR:-/tmp}"
NODEDIR="${CLADE_NODEDIR:-${npm_config_nodedir:-}}"
PYTHON="${PYTHON:-python3}"
STRIP_LIBS=1
FORCE=0
KEEP_WORK=0
RUN_SMOKE=1
WASM_COMPARE=1
REMOVE=0

usage() {
  cat <<EOF
usage: scripts/tfjs-node-offline/build.sh [options]

Builds @tensorflow/tfjs-node@$TFJS_NODE_VERSION against the TensorFlow C API found in a
TensorFlow pip wheel, into PREFIX/node_modules/@tensorflow/tfjs-node, then runs a
smoke test (backend name, conv2d check, GFLOP/s). Safe to re-run: an existing build
with the same inputs is kept and only re-linked and re-tested.

  --prefix DIR           where to install (default: $PREFIX)
                         [env CLADE_TFJS_NODE_PREFIX]
  --wheel PATH           use this TensorFlow wheel (.whl) instead of pip download
                         [env CLADE_TF_WHEEL]
  --tf-package NAME      pip package to download (default: $TF_PACKAGE) [env CLADE_TF_PACKAGE]
  --tf-version SPEC      version spec for pip (default: $TF_VERSION) [env CLADE_TF_VERSION]
  --pip-args "ARGS"      extra pip download arguments, e.g. "--index-url URL"
                         [env CLADE_PIP_ARGS]
  --tgz PATH             use this tfjs-node .tgz instead of 'npm pack' [env CLADE_TFJS_NODE_TGZ]
  --tfjs-node-version V  tfjs-node version to pack (default: $TFJS_NODE_VERSION; only 4.22.0 is tested)
                         [env CLADE_TFJS_NODE_VERSION]
  --link-tfjs-from DIR   make tfjs-node use the @tensorflow/tfjs + tfjs-core that DIR resolves,
                         so one tfjs-core copy is loaded (default: $LINK_FROM)
                         [env CLADE_TFJS_LINK_FROM]
  --standalone           keep tfjs-node's own @tensorflow/tfjs copy in PREFIX instead
  --jobs N               parallel compile jobs (default: $JOBS) [env JOBS]
  --nodedir DIR          Node headers (DIR/include/node/node_api.h); default: npm's nodedir,
                         else the prefix of the running node [env CLADE_NODEDIR]
  --workdir DIR          scratch parent folder (default: $WORK_PARENT) [env TMPDIR]
  --no-strip             keep the symbol tables of the TF libraries (+~220 MiB)
  --no-smoke             skip the smoke test
  --no-wasm              smoke test without the tfjs-backend-wasm comparison
  --force                rebuild even if PREFIX already holds a matching build
  --keep-work            keep the scratch folder (wheel, logs)
  --remove               delete PREFIX (only if build.sh made it) and exit
  -h, --help             this text

After a build:  source PREFIX/env.sh   (prepends PREFIX/node_modules to NODE_PATH)
EOF
}

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B="" N=""; fi
if [ -t 2 ]; then Y=$'\033[1;33m' R=$'\033[1;31m' N2=$'\033[0m'; else Y="" R="" N2=""; fi
say() { printf '%s[tfjs-node-offline]%s %s\n' "$B" "$N" "$*"; }
warn() { printf '%s[tfjs-node-offline] warning:%s %s\n' "$Y" "$N2" "$*" >&2; }
die() {
  printf '%s[tfjs-node-offline] error:%s %s\n' "$R" "$N2" "$*" >&2
  exit 1
}
need_arg() { [ "$#" -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    --prefix) need_arg "$@"; PREFIX="$2"; shift 2 ;;
    --wheel) need_arg "$@"; WHEEL="$2"; shift 2 ;;
    --tf-package) need_arg "$@"; TF_PACKAGE="$2"; shift 2 ;;
    --tf-version) need_arg "$@"; TF_VERSION="$2"; shift 2 ;;
    --pip-args) need_arg "$@"; PIP_EXTRA_ARGS="$2"; shift 2 ;;
    --tgz) need_arg "$@"; TGZ="$2"; shift 2 ;;
    --tfjs-node-version) need_arg "$@"; TFJS_NODE_VERSION="$2"; shift 2 ;;
    --link-tfjs-from) need_arg "$@"; LINK_FROM="$2"; MODE=linked; shift 2 ;;
    --standalone) MODE=standalone; shift ;;
    --jobs | -j) need_arg "$@"; JOBS="$2"; shift 2 ;;
    --nodedir) need_arg "$@"; NODEDIR="$2"; shift 2 ;;
    --workdir) need_arg "$@"; WORK_PARENT="$2"; shift 2 ;;
    --no-strip) STRIP_LIBS=0; shift ;;
    --no-smoke) RUN_SMOKE=0; shift ;;
    --no-wasm) WASM_COMPARE=0; shift ;;
    --force) FORCE=1; shift ;;
    --keep-work) KEEP_WORK=1; shift ;;
    --remove) REMOVE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

abspath() { # absolute path of a (possibly not yet existing) path
  case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac
}
PREFIX="$(abspath "${PREFIX%/}")"
[ -n "$WHEEL" ] && WHEEL="$(abspath "$WHEEL")"
[ -n "$TGZ" ] && TGZ="$(abspath "$TGZ")"
case "$JOBS" in '' | *[!0-9]*) die "--jobs wants a number, got '$JOBS'" ;; esac
case "$PREFIX" in / | "$HOME" | "$REPO_ROOT" | "$REPO_ROOT"/*) die "refusing --prefix '$PREFIX' (pick a folder of its own, outside the repository)" ;; esac

# --- remove ------------------------------------------------------------------
if [ "$REMOVE" = 1 ]; then
  if [ ! -e "$PREFIX" ]; then
    say "nothing to remove at $PREFIX"
  elif [ -f "$PREFIX/$STAMP_NAME" ]; then
    rm -rf "$PREFIX"
    rm -f "$PREFIX.lock"
    say "removed $PREFIX"
  else
    die "$PREFIX was not made by build.sh (no $STAMP_NAME); remove it by hand if you mean it"
  fi
  say "also drop PREFIX/node_modules from NODE_PATH (e.g. open a new shell if you sourced env.sh)"
  exit 0
fi

# --- preflight -----------------------------------------------------------------
[ "$(uname -s)" = Linux ] || die "only Linux is supported (TF wheels ship libtensorflow_cc.so.2 only there)"
for tool in node npm make "$PYTHON"; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found on PATH"
done
command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1 || die "no C++ compiler (g++) on PATH"
NODE_BIN="$(command -v node)"
say "node $(node --version) (napi $(node -p process.versions.napi)), npm $(npm --version 2>/dev/null), $("$PYTHON" --version 2>&1)"

# node-gyp: $NODE_GYP, then PATH, then the copy bundled with npm.
NODE_GYP_CMD=()
if [ -n "${NODE_GYP:-}" ]; then
  NODE_GYP_CMD=("$NODE_GYP")
elif command -v node-gyp >/dev/null 2>&1; then
  NODE_GYP_CMD=("$(command -v node-gyp)")
else
  for cand in \
    "$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js" \
    "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"; do
    if [ -f "$cand" ]; then NODE_GYP_CMD=("$NODE_BIN" "$(readlink -f "$cand")"); break; fi
  done
fi
[ "${#NODE_GYP_CMD[@]}" -gt 0 ] || die "node-gyp not found (install it with 'npm i -g node-gyp' or set NODE_GYP)"

# Node headers: node-gyp would otherwise download them from nodejs.org.
if [ -z "$NODEDIR" ]; then
  d="$(cd "$WORK_PARENT" && npm config get nodedir 2>/dev/null || true)"
  if [ -n "$d" ] && [ -f "$d/include/node/node_api.h" ]; then
    NODEDIR="$d"
  else
    d="$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")"
    [ -f "$d/include/node/node_api.h" ] && [ -f "$d/include/node/common.gypi" ] && NODEDIR="$d"
  fi
fi
NODEDIR_ARGS=()
if [ -n "$NODEDIR" ]; then
  [ -f "$NODEDIR/include/node/node_api.h" ] || die "--nodedir $NODEDIR has no include/node/node_api.h"
  NODEDIR_ARGS=(--nodedir="$NODEDIR")
  say "node headers: $NODEDIR/include/node"
elif [ -f "${XDG_CACHE_HOME:-$HOME/.cache}/node-gyp/$(node -p 'process.versions.node')/include/node/node_api.h" ]; then
  say "node headers: node-gyp's cache"
else
  warn "no local Node headers found; node-gyp will try to download them (pass --nodedir DIR if offline)"
fi

# The @tensorflow/tfjs + tfjs-core copies to share with the project.
TFJS_TARGET=""
CORE_TARGET=""
if [ "$MODE" = linked ]; then
  [ -d "$LINK_FROM" ] || die "--link-tfjs-from $LINK_FROM is not a folder (or use --standalone)"
  LINK_FROM="$(cd "$LINK_FROM" && pwd)"
  read -r TFJS_TARGET TFJS_TARGET_VERSION CORE_TARGET < <(
    node -e '
      const fs = require("fs"), path = require("path");
      const root = (name, from) => fs.realpathSync(path.dirname(require.resolve(name + "/package.json", { paths: [from] })));
      try {
        const tfjs = root("@tensorflow/tfjs", process.argv[1]);
        const core = root("@tensorflow/tfjs-core", tfjs);
        console.log(tfjs, require(tfjs + "/package.json").version, core);
      } catch (e) { console.log("- - -"); }' "$LINK_FROM"
  ) || true
  if [ -z "$TFJS_TARGET" ] || [ "$TFJS_TARGET" = - ]; then
    die "@tensorflow/tfjs does not resolve from $LINK_FROM (run 'pnpm install' there first, pass --link-tfjs-from DIR, or use --standalone)"
  fi
  [ "$TFJS_TARGET_VERSION" = "$TFJS_NODE_VERSION" ] ||
    die "$LINK_FROM resolves @tensorflow/tfjs@$TFJS_TARGET_VERSION but tfjs-node $TFJS_NODE_VERSION needs $TFJS_NODE_VERSION (use --standalone or --tfjs-node-version)"
  say "tfjs-node will use the project's tfjs $TFJS_TARGET_VERSION: $CORE_TARGET"
fi

# One build at a time per prefix.
mkdir -p "$(dirname "$PREFIX")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$PREFIX.lock"
  flock -n 9 || { say "another build.sh holds $PREFIX.lock; waiting"; flock 9; }
fi

if [ -e "$PREFIX" ] && [ ! -f "$PREFIX/$STAMP_NAME" ] && [ -n "$(ls -A "$PREFIX" 2>/dev/null)" ]; then
  die "$PREFIX exists and was not made by build.sh; pick another --prefix or empty it"
fi

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else
    "$PYTHON" -c 'import hashlib,sys;h=hashlib.sha256();f=open(sys.argv[1],"rb");[h.update(b) for b in iter(lambda:f.read(1<<20),b"")];print(h.hexdigest())' "$1"
  fi
}
case "$TF_VERSION" in [\<\>=\!~]*) PIP_SPEC="$TF_PACKAGE$TF_VERSION" ;; *) PIP_SPEC="$TF_PACKAGE==$TF_VERSION" ;; esac
if [ -n "$WHEEL" ]; then
  [ -f "$WHEEL" ] || die "--wheel $WHEEL: no such file"
  say "hashing $(basename "$WHEEL")"
  WHEEL_SHA="$(sha256_of "$WHEEL")"
  WANT_SOURCE="wheel-sha256=$WHEEL_SHA"
else
  WANT_SOURCE="pip=$PIP_SPEC"
fi
WANT_STAMP="tfjs_node=$TFJS_NODE_VERSION;source=$WANT_SOURCE;strip=$STRIP_LIBS"

stamp_get() { sed -n "s/^$1=//p" "$PREFIX/$STAMP_NAME" 2>/dev/null | head -n1; }
NEED_BUILD=1
if [ "$FORCE" = 0 ] && [ -f "$PREFIX/$STAMP_NAME" ] && [ "$(stamp_get key)" = "$WANT_STAMP" ] &&
  [ -f "$(stamp_get addon)" ]; then
  NEED_BUILD=0
  say "$PREFIX already holds this build ($(stamp_get wheel)); skipping the build (--force rebuilds)"
fi

WORK=""
STAGE=""
cleanup() {
  local rc=$?
  if [ -n "$STAGE" ] && [ -d "$STAGE" ]; then rm -rf "$STAGE"; fi
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    if [ "$KEEP_WORK" = 1 ] || [ "$rc" != 0 ]; then
      say "scratch folder kept: $WORK (logs in it; delete it when done)"
    else
      rm -rf "$WORK"
    fi
  fi
  if [ -n "${PREFIX_OLD:-}" ] && [ -d "$PREFIX_OLD" ]; then rm -rf "$PREFIX_OLD"; fi
  return "$rc"
}
trap cleanup EXIT

run_nice() { nice -n "$NICE_LEVEL" "$@"; }

free_mib() { df -Pm "$1" 2>/dev/null | awk 'NR==2 {print $4}'; }
check_space() { # dir MiB what
  local f
  f="$(free_mib "$1")"
  if [ -n "$f" ] && [ "$f" -lt "$2" ]; then
    warn "only ${f} MiB free in $1; $3 needs about $2 MiB"
  fi
}

if [ "$NEED_BUILD" = 1 ]; then
  mkdir -p "$WORK_PARENT"
  WORK="$(mktemp -d "$WORK_PARENT/clade-tfjs-node.XXXXXX")"
  say "scratch: $WORK"
  check_space "$(dirname "$PREFIX")" 1600 "the build (tfjs-node + TF libraries, twice during the swap)"

  # 1. the TensorFlow wheel
  T0=$SECONDS
  if [ -z "$WHEEL" ]; then
    check_space "$WORK" 400 "the wheel download"
    say "pip download --no-deps '$PIP_SPEC' (from pip's configured index)"
    # shellcheck disable=SC2086 # PIP_EXTRA_ARGS is a word list on purpose
    "$PYTHON" -m pip download --no-deps --only-binary=:all: --progress-bar off \
      -d "$WORK/wheel" $PIP_EXTRA_ARGS "$PIP_SPEC" >"$WORK/pip.log" 2>&1 || {
      tail -n 20 "$WORK/pip.log" >&2
      die "pip could not download $PIP_SPEC (see above); pass --wheel PATH or --pip-args '--index-url URL'"
    }
    shopt -s nullglob
    wheels=("$WORK"/wheel/*.whl)
    shopt -u nullglob
    [ "${#wheels[@]}" = 1 ] || die "expected one wheel in $WORK/wheel, found ${#wheels[@]}"
    WHEEL_FILE="${wheels[0]}"
  else
    WHEEL_FILE="$WHEEL"
  fi
  WHEEL_NAME="$(basename "$WHEEL_FILE")"
  case "$WHEEL_NAME" in
    *linux*"$(uname -m)"*) ;;
    *) warn "$WHEEL_NAME does not look like a Linux $(uname -m) wheel" ;;
  esac
  [ -n "$WHEEL" ] || WHEEL_SHA="$(sha256_of "$WHEEL_FILE")"
  say "wheel: $WHEEL_NAME (sha256 ${WHEEL_SHA:0:16}…, $((SECONDS - T0))s)"

  # 2. the tfjs-node package and its JS dependencies
  T0=$SECONDS
  if [ -z "$TGZ" ]; then
    say "npm pack @tensorflow/tfjs-node@$TFJS_NODE_VERSION"
    (cd "$WORK" && npm pack "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" --loglevel=error >"$WORK/npm-pack.log" 2>&1) || {
      cat "$WORK/npm-pack.log" >&2
      die "npm pack failed (no npm registry? pass --tgz PATH)"
    }
    TGZ_FILE="$WORK/tensorflow-tfjs-node-$TFJS_NODE_VERSION.tgz"
  else
    [ -f "$TGZ" ] || die "--tgz $TGZ: no such file"
    TGZ_FILE="$TGZ"
  fi
  [ -f "$TGZ_FILE" ] || die "no $TGZ_FILE after npm pack"
  STAGE="$PREFIX.new.$$"
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  cp "$TGZ_FILE" "$STAGE/tensorflow-tfjs-node-$TFJS_NODE_VERSION.tgz"
  cat >"$STAGE/package.json" <<EOF
{
  "name": "clade-tfjs-node-offline",
  "private": true,
  "description": "@tensorflow/tfjs-node built against a TensorFlow wheel's C API by clade's scripts/tfjs-node-offline/build.sh"
}
EOF
  say "npm install (--ignore-scripts: no libtensorflow download) into $STAGE"
  (cd "$STAGE" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    "./tensorflow-tfjs-node-$TFJS_NODE_VERSION.tgz" >"$WORK/npm-install.log" 2>&1) || {
    tail -n 30 "$WORK/npm-install.log" >&2
    die "npm install of tfjs-node's dependencies failed"
  }
  PKG="$STAGE/node_modules/@tensorflow/tfjs-node"
  [ -f "$PKG/binding.gyp" ] || die "no binding.gyp in $PKG"
  got_version="$(node -p "require('$PKG/package.json').version")"
  [ "$got_version" = "$TFJS_NODE_VERSION" ] || die "tarball is tfjs-node $got_version, expected $TFJS_NODE_VERSION"
  say "tfjs-node $got_version + dependencies installed ($((SECONDS - T0))s)"

  # 3. TensorFlow C API out of the wheel -> deps/lib, deps/include
  T0=$SECONDS
  say "extracting the C API from the wheel"
  run_nice "$PYTHON" "$SCRIPT_DIR/extract_wheel.py" "$WHEEL_FILE" "$PKG/deps" ||
    die "$WHEEL_NAME does not carry the TensorFlow C API (tried TF 2.21 layout: tensorflow/libtensorflow_cc.so.2)"
  LIBDIR="$PKG/deps/lib"
  if command -v nm >/dev/null 2>&1; then
    # (symbols may carry a version, e.g. TFE_NewContext@@tensorflow)
    # (TF_NewTensor lives in libtensorflow_framework, TFE_* in libtensorflow_cc)
    { nm -D --defined-only "$LIBDIR/libtensorflow_cc.so.2" "$LIBDIR/libtensorflow_framework.so.2" 2>/dev/null || true; } |
      { grep -E ' (TF_NewTensor|TFE_NewContext|TFE_Execute)(@|$)' || true; } >"$WORK/c-api-symbols.txt"
    for sym in TF_NewTensor TFE_NewContext TFE_Execute; do
      grep -qE " $sym(@|\$)" "$WORK/c-api-symbols.txt" ||
        die "the TF libraries in $WHEEL_NAME do not export $sym"
    done
  fi
  if [ "$STRIP_LIBS" = 1 ] && command -v strip >/dev/null 2>&1; then
    for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
      run_nice strip --strip-unneeded -o "$LIBDIR/$lib.stripped" "$LIBDIR/$lib"
      mv "$LIBDIR/$lib.stripped" "$LIBDIR/$lib"
    done
    say "stripped symbol tables"
  fi
  # binding.gyp links -ltensorflow -ltensorflow_framework from deps/lib; the addon
  # records the SONAMEs (libtensorflow_cc.so.2, libtensorflow_framework.so.2) and
  # finds them through its rpath $ORIGIN/../../deps/lib. The versioned names from
  # scripts/deps-constants.js make tfjs-node's own install.js see "already
  # downloaded" if anyone re-runs it.
  read -r DEPS_TF_NAME DEPS_FW_NAME < <(node -p "const c=require('$PKG/scripts/deps-constants.js'); c.depsLibTensorFlowName+' '+c.depsLibTensorFlowFrameworkName")
  (
    cd "$LIBDIR"
    for n in libtensorflow.so libtensorflow.so.2 "$DEPS_TF_NAME"; do ln -sfn libtensorflow_cc.so.2 "$n"; done
    for n in libtensorflow_framework.so "$DEPS_FW_NAME"; do
      [ "$n" = libtensorflow_framework.so.2 ] || ln -sfn libtensorflow_framework.so.2 "$n"
    done
  )
  say "deps/ ready: $(du -sh "$PKG/deps" | cut -f1) ($((SECONDS - T0))s)"

  # 4. compile the addon (what node-pre-gyp --build-from-source would do)
  T0=$SECONDS
  NAPI="$(cd "$STAGE" && node -p "require('@mapbox/node-pre-gyp/lib/util/napi.js').get_best_napi_build_version(require('$PKG/package.json'), {})")"
  case "$NAPI" in '' | *[!0-9]*) die "could not work out the N-API build version (got '$NAPI')" ;; esac
  MODULE_PATH="$PKG/lib/napi-v$NAPI"
  say "node-gyp rebuild (napi-v$NAPI, -j$JOBS, nice $NICE_LEVEL); log: $WORK/node-gyp.log"
  (cd "$PKG" && JOBS="$JOBS" run_nice "${NODE_GYP_CMD[@]}" rebuild "${NODEDIR_ARGS[@]}" --jobs "$JOBS" -- \
    -Dmodule_name=tfjs_binding -Dmodule_path="$MODULE_PATH" -Dnapi_build_version="$NAPI") \
    >"$WORK/node-gyp.log" 2>&1 || {
    tail -n 40 "$WORK/node-gyp.log" >&2
    die "node-gyp failed (full log: $WORK/node-gyp.log)"
  }
  ADDON_REL="lib/napi-v$NAPI/tfjs_binding.node"
  [ -f "$PKG/$ADDON_REL" ] || die "node-gyp finished but $PKG/$ADDON_REL is missing"
  found="$(cd "$STAGE" && node -p "require('@mapbox/node-pre-gyp').find(require.resolve('$PKG/package.json'))")"
  [ "$found" = "$PKG/$ADDON_REL" ] || die "tfjs-node would look for its addon at $found, not $PKG/$ADDON_REL"
  rm -rf "$PKG/build"
  # npm/pnpm would otherwise run install.js (download) or node-gyp again when
  # this folder is installed into a project.
  node -e '
    const fs = require("fs"), f = process.argv[1];
    const p = JSON.parse(fs.readFileSync(f, "utf8"));
    p.scripts.install = "echo \"@tensorflow/tfjs-node: prebuilt offline addon (clade build.sh), nothing to do\"";
    fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$PKG/package.json"
  say "addon built: $ADDON_REL ($((SECONDS - T0))s)"

  # 5. quick load check before replacing anything
  (cd "$STAGE" && TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require(process.argv[1]);
    if (tf.getBackend() !== "tensorflow") { console.error("backend is " + tf.getBackend()); process.exit(1); }' "$PKG") ||
    die "the freshly built addon does not load (see above)"

  {
    echo "key=$WANT_STAMP"
    echo "tfjs_node=$TFJS_NODE_VERSION"
    echo "wheel=$WHEEL_NAME"
    echo "wheel_sha256=$WHEEL_SHA"
    echo "napi=$NAPI"
    echo "addon=$PREFIX/node_modules/@tensorflow/tfjs-node/$ADDON_REL"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$STAGE/$STAMP_NAME"

  # 6. swap into place
  if [ -e "$PREFIX" ]; then
    PREFIX_OLD="$PREFIX.old.$$"
    mv "$PREFIX" "$PREFIX_OLD"
  fi
  mv "$STAGE" "$PREFIX"
  STAGE=""
  if [ -n "${PREFIX_OLD:-}" ]; then rm -rf "$PREFIX_OLD"; fi
  say "installed into $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
fi

# --- link the project's tfjs (or restore the standalone copy) -----------------
TFNS="$PREFIX/node_modules/@tensorflow"
STASH="$PREFIX/standalone-tfjs"
if [ "$MODE" = linked ]; then
  mkdir -p "$STASH"
  for entry in "$TFNS"/*; do
    name="$(basename "$entry")"
    [ "$name" = tfjs-node ] && continue
    if [ -L "$entry" ]; then
      rm -f "$entry"
    else
      rm -rf "${STASH:?}/$name"
      mv "$entry" "$STASH/$name"
    fi
  done
  ln -s "$TFJS_TARGET" "$TFNS/tfjs"
  ln -s "$CORE_TARGET" "$TFNS/tfjs-core"
  say "linked $TFNS/{tfjs,tfjs-core} -> the copies $LINK_FROM uses (own copies parked in $STASH)"
else
  for entry in "$TFNS"/*; do
    [ -L "$entry" ] && rm -f "$entry"
  done
  if [ -d "$STASH" ]; then
    for entry in "$STASH"/*; do
      [ -e "$entry" ] || continue
      name="$(basename "$entry")"
      [ -e "$TFNS/$name" ] || mv "$entry" "$TFNS/$name"
    done
    rm -rf "$STASH"
  fi
  [ -d "$TFNS/tfjs" ] || die "$TFNS/tfjs is missing; re-run with --force --standalone"
  say "standalone: tfjs-node uses its own @tensorflow/tfjs in $TFNS"
fi

cat >"$PREFIX/env.sh" <<EOF
# Generated by clade's scripts/tfjs-node-offline/build.sh.
# 'source' this file so that require('@tensorflow/tfjs-node') finds the offline build.
case ":\${NODE_PATH:-}:" in
  *":$PREFIX/node_modules:"*) ;;
  *) export NODE_PATH="$PREFIX/node_modules\${NODE_PATH:+:\$NODE_PATH}" ;;
esac
EOF

# --- smoke test ----------------------------------------------------------------
if [ "$RUN_SMOKE" = 1 ]; then
  SMOKE_ARGS=("$TFNS/tfjs-node")
  if [ "$MODE" = linked ]; then SMOKE_ARGS+=(--expect-core-from "$LINK_FROM"); fi
  # (standalone: no wasm comparison, the project's wasm backend would bring a
  # second tfjs-core copy into the test process)
  if [ "$WASM_COMPARE" = 1 ] && [ "$MODE" = linked ]; then SMOKE_ARGS+=(--wasm-from "$LINK_FROM"); fi
  say "smoke test: node smoke.cjs ${SMOKE_ARGS[*]}"
  SMOKE_DIR="$REPO_ROOT"
  [ "$MODE" = linked ] && SMOKE_DIR="$LINK_FROM"
  (cd "$SMOKE_DIR" && node "$SCRIPT_DIR/smoke.cjs" "${SMOKE_ARGS[@]}") ||
    die "smoke test failed (try --force to rebuild)"
fi

say "done. Use it with:"
echo
echo "    source $PREFIX/env.sh        # NODE_PATH=$PREFIX/node_modules:\$NODE_PATH"
echo "    node -e \"require('@tensorflow/tfjs-node')\"   # from $REPO_ROOT, now loads"
echo
say "remove with: $0 --remove${PREFIX:+ --prefix $PREFIX}"
