# The build step behind the tuning table's code hash (cmake/KernelCodeHash.cmake): any edit to a
# hashed file, or other compiler flags, gives another hash; the same inputs give the same one
# and leave the header untouched (nothing recompiles).
cmake_minimum_required(VERSION 3.25)
set(dir ${WORK_DIR}/kernel_code_hash_check)
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir}/src)
file(WRITE ${dir}/src/a.cc "int a() { return 1; }\n")
file(WRITE ${dir}/src/b.h "#pragma once\n")

function(hash_of out_var build_info)
  execute_process(COMMAND ${CMAKE_COMMAND} -DOUT=${dir}/h.h -DROOT=${dir}
                          "-DFILES=${dir}/src/a.cc;${dir}/src/b.h" "-DBUILD_INFO=${build_info}"
                          -P ${SOURCE_DIR}/cmake/KernelCodeHash.cmake
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "KernelCodeHash.cmake failed: ${rc}")
  endif()
  file(READ ${dir}/h.h text)
  if(NOT text MATCHES "kKernelCodeSha256\\[\\] = \"([0-9a-f]+)\"")
    message(FATAL_ERROR "no hash in the header:\n${text}")
  endif()
  string(LENGTH "${CMAKE_MATCH_1}" n)
  if(NOT n EQUAL 64)
    message(FATAL_ERROR "not a SHA-256: ${CMAKE_MATCH_1}")
  endif()
  set(${out_var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

hash_of(h0 "GNU 12 -O3")
file(TIMESTAMP ${dir}/h.h t0 "%s")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
hash_of(h1 "GNU 12 -O3")
file(TIMESTAMP ${dir}/h.h t1 "%s")
if(NOT h0 STREQUAL h1)
  message(FATAL_ERROR "same inputs, different hashes: ${h0} ${h1}")
endif()
if(NOT t0 STREQUAL t1)
  message(FATAL_ERROR "the header was rewritten although the hash did not change")
endif()

file(WRITE ${dir}/src/a.cc "int a() { return 2; }\n")  # one byte of a kernel
hash_of(h2 "GNU 12 -O3")
if(h2 STREQUAL h0)
  message(FATAL_ERROR "an edited source kept the hash ${h0}")
endif()
file(WRITE ${dir}/src/b.h "#pragma once \n")  # a header, one blank
hash_of(h3 "GNU 12 -O3")
if(h3 STREQUAL h2)
  message(FATAL_ERROR "an edited header kept the hash ${h2}")
endif()
hash_of(h4 "GNU 12 -O2")
if(h4 STREQUAL h3)
  message(FATAL_ERROR "other compiler flags kept the hash ${h3}")
endif()
file(REMOVE_RECURSE ${dir})
