# Runs CMD with ARGS (|-separated) and checks its exit code and a stderr substring. EMULATOR
# (|-separated, may be empty): the cross build's CMAKE_CROSSCOMPILING_EMULATOR, since a script
# cannot start a foreign binary the way ctest does.
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${CMD} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}\nstdout: ${out}\nstderr: ${err}")
endif()
string(FIND "${err}" "${EXPECT_ERR}" pos)
if(pos EQUAL -1)
  message(FATAL_ERROR "stderr lacks '${EXPECT_ERR}':\n${err}")
endif()
message(STATUS "ok: exit ${rc}; ${err}")
