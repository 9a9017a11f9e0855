#!/usr/bin/env bash
# `pip install --no-build-isolation .` into a fresh virtual environment, offline:
# the package must build with Debian's pip, setuptools and wheel, and the
# environment's Python must then import rsnn (its own librsnn, not a build
# tree's) and run the `rsnn` command, train, and plot; `pip uninstall` must
# remove it all.
#
#   tests/pip_install.sh SOURCE_DIR WORK_DIR
#
# To keep the test short the library is built once (-DRSNN_ISA=portable) and
# without optimisation; the default build's instruction-set variants are
# checked by installed_cli.cmake and instruction_set_variants.sh.
set -euo pipefail
source_dir=$(realpath "$1")
work=$2
rm -rf "$work"
mkdir -p "$work/source"
work=$(realpath "$work")
# A copy of what a source checkout holds (pip builds in the source tree).
for item in CMakeLists.txt pyproject.toml setup.py README.md LICENSE include src cli python scripts; do
  cp -r "$source_dir/$item" "$work/source/"
done

/usr/bin/python3 -m venv --system-site-packages "$work/venv"  # numpy, h5py, matplotlib from Debian
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1  # offline: nothing may be downloaded
CMAKE_ARGS="-DRSNN_ISA=portable -DCMAKE_BUILD_TYPE=Debug" CMAKE_BUILD_PARALLEL_LEVEL=2 \
  "$work/venv/bin/pip" install --no-build-isolation "$work/source" > "$work/pip.log" 2>&1 ||
  { tail -40 "$work/pip.log"; echo "pip install failed (log: $work/pip.log)"; exit 1; }

cd "$work"  # not the source tree: the import must come from the environment
package=$(venv/bin/python -c "import rsnn, pathlib; print(pathlib.Path(rsnn.__file__).parent)")
case "$package" in
  "$work/venv/"*) ;;
  *) echo "rsnn was imported from $package, not from the environment"; exit 1 ;;
esac
venv/bin/python -c "import rsnn; assert rsnn.extension_available(); print('rsnn', rsnn.__version__, rsnn.instruction_set())"
module=$(ls "$package"/_rsnn*.so)
libraries=$(ldd "$module")  # not piped into grep -q: its early exit would fail ldd under pipefail
if [[ "$libraries" != *"librsnn.so => $package/lib/librsnn.so"* ]]; then
  echo "$libraries"
  echo "the module does not load the environment's librsnn"
  exit 1
fi
PATH="$work/venv/bin:/usr/bin:/bin"  # the entry point, not a build tree's binary
[ "$(command -v rsnn)" = "$work/venv/bin/rsnn" ]
[[ "$(rsnn --help)" == *Usage* ]]
rsnn --version
rsnn train "$source_dir/tests/python/data/tiny.toml" --out "$work/run" --threads 1 -q
rsnn plot "$work/run" -o "$work/run.png"
[ "$(head -c 4 "$work/run.png" | tail -c 3)" = "PNG" ]

venv/bin/pip uninstall -y rsnn > /dev/null
if [ -e "$package" ] || [ -e venv/bin/rsnn ]; then
  echo "pip uninstall left files behind: $(ls -d "$package" venv/bin/rsnn 2>/dev/null)"
  exit 1
fi
echo "pip install: ok"
