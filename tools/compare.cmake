# bitnet_compare: launching and parsing the reference implementations (llama.cpp, bitnet.cpp),
# plus the bitnet-compare CLI. Owner: shim. docs/compare.md.
set(_cmp ${CMAKE_CURRENT_SOURCE_DIR}/compare)
add_library(bitnet_compare
  ${_cmp}/process.cc
  ${_cmp}/discovery.cc
  ${_cmp}/peer_output.cc
  ${_cmp}/gbench_json.cc
  ${_cmp}/peer_runner.cc
)
foreach(_f side_by_side.cc crossval.cc)
  if(EXISTS ${_cmp}/${_f})
    target_sources(bitnet_compare PRIVATE ${_cmp}/${_f})
  endif()
endforeach()
target_include_directories(bitnet_compare PUBLIC ${_cmp}/include)
target_link_libraries(bitnet_compare PUBLIC nlohmann_json::nlohmann_json fmt::fmt
                      PRIVATE OpenSSL::Crypto)

if(EXISTS ${_cmp}/main.cc)
  add_executable(bitnet-compare ${_cmp}/main.cc)
  target_link_libraries(bitnet-compare PRIVATE bitnet_compare)
endif()
# crossval detokenizes with the project's GGUF reader when it is part of the build.
if(TARGET bitnet_gguf)
  target_link_libraries(bitnet_compare PRIVATE bitnet_gguf)
  target_compile_definitions(bitnet_compare PUBLIC BITNET_COMPARE_HAVE_GGUF=1)
endif()
