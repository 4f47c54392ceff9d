# aarch64 kernels (the aarch64 block of kernels.inc), each ISA's files built with its flags only
# (cmake/BitnetIsa.cmake). Included from kernels/CMakeLists.txt when BITNET_ARCH is aarch64.
bitnet_isa_sources(bitnet_kernels neon
  matmul/tq2_0_neon.cc
  matmul/tq1_0_neon.cc
  matmul/i2s_neon.cc
  quant_act/q8k_neon.cc
  quant_act/i8s_neon.cc
  dequant/tq2_0_neon.cc
  dequant/i2s_neon.cc
  dot/f32_neon.cc
  dot/f16_neon.cc
  dot/q6k_neon.cc
  axpy/f32_neon.cc
  widen/f16_neon.cc
  round/f16_neon.cc
  exp_sum/f32_neon.cc
)
bitnet_isa_sources(bitnet_kernels dotprod
  matmul/tq2_0_dotprod.cc
  matmul/tq1_0_dotprod.cc
  matmul/i2s_dotprod.cc
)
