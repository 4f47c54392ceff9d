# Cross-build for aarch64 Linux on an x86-64 Debian host (docs/arm64.md): the Debian
# g++-aarch64-linux-gnu cross compiler, the arm64 multiarch libraries (dpkg --add-architecture
# arm64), and QEMU user-mode emulation to run the tests (ctest and gtest discovery go through
# CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: arm64 libraries live in /usr/lib/aarch64-linux-gnu, headers are shared in /usr/include;
# the CMake package files of header-only packages (nlohmann-json, xsimd) are architecture-free.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)

# -L /: the arm64 runtime of the multiarch packages (libc6:arm64, libstdc++6:arm64, pulled in by
# the :arm64 dev packages), not the cross toolchain's copy in /usr/aarch64-linux-gnu: that
# loader (libc6-arm64-cross) with the multiarch libc.so.6 of another Debian revision hangs at the
# first thread start under QEMU 7.2 (a static binary, or one glibc, does not). No -cpu: QEMU_CPU
# in the environment picks the emulated CPU (unset = "max", which has every feature the kernels use:
# NEON, dot product, i8mm); ci/arm64.sh also runs the kernel tests on a CPU without the dot
# product (QEMU_CPU=cortex-a53).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;/)
