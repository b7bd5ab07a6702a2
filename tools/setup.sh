#!/usr/bin/env bash
# Installs every Debian 12 package pcmsim needs (build, tests, dataset, Python tools).
# Idempotent: packages already present are left as they are. Run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build clang-format
  clang libclang-rt-14-dev  # libFuzzer and the sanitizers for the fuzz targets (tools/fuzz.sh)
  libsystemc-dev            # SystemC 2.3.4 (pkg-config: systemc)
  libyaml-cpp-dev           # yaml-cpp 0.7 (CMake target yaml-cpp)
  libboost-program-options-dev
  libgtest-dev              # GoogleTest 1.12
  libonnx-dev libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev        # stats.json writer
  libsqlite3-dev            # pcmsim sweep collect: the results database
  zlib1g-dev                # IDX .gz reader
  libopenblas-dev           # numpy's and PyTorch's BLAS: the PyTorch peer, the sgemm roofline (tools/bench)
  dataset-fashion-mnist     # /usr/share/datasets/fashion-mnist
  libonnx-testdata          # ONNX's backend test cases, for the importer conformance tests
  python3-torch python3-torchvision python3-numpy python3-onnx   # tools/train_*.py, export
  python3-matplotlib        # pcmsim report: the HTML pages' charts
  pybind11-dev python3-pybind11 python3-dev python3-pandas python3-pytest  # import pcmsim
  chromium                  # the report pages' test in a headless browser
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup.sh: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup.sh: all ${#PACKAGES[@]} packages present"
