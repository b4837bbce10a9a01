# Sourced by the tools/setup_*_python.sh scripts: one way to make the ignored Python venvs the tests and benchmarks
# drive third-party implementations with. Not run on its own.
#
#   btpow_venv NAME VERSION IMPORTS PACKAGE...
#
# makes (once) .venv-NAME/ at the repository root with PACKAGE... installed, checks that `import IMPORTS` works
# (skipped when IMPORTS is empty), and prints the path of its python. VERSION names the package set: change it
# when the packages change, and existing venvs are made anew. Safe to run repeatedly and from several tests at once
# (a lock in .venv-locks/ serializes the first run).
btpow_venv() {
    local name="$1" version="$2" imports="$3"
    shift 3
    local root venv python stamp
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    venv="$root/.venv-$name"
    python="$venv/bin/python"
    stamp="$venv/.btpow-$name-$version"
    if [[ ! -f "$stamp" ]]; then
        mkdir -p "$root/.venv-locks"
        exec 9>"$root/.venv-locks/$name.lock"
        flock 9
        if [[ ! -f "$stamp" ]]; then
            if [[ ! -x "$python" ]] || [[ -z "$imports" ]] || ! "$python" -c "import $imports" 2>/dev/null; then
                rm -rf "$venv"
                python3 -m venv "$venv" >&2
                "$python" -m pip install --quiet --disable-pip-version-check "$@" >&2
            fi
            if [[ -n "$imports" ]]; then "$python" -c "import $imports" >&2; fi
            touch "$stamp"
        fi
    fi
    echo "$python"
}
