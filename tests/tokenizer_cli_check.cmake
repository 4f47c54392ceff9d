# Runs CMD with ARGS (separated by SEP, default "|") and compares its stdout byte for byte with
# EXPECT_FILE.
if(NOT DEFINED SEP)
  set(SEP "|")
endif()
string(REPLACE "${SEP}" ";" args "${ARGS}")
execute_process(COMMAND ${CMD} ${args} RESULT_VARIABLE rc OUTPUT_FILE ${OUT_FILE}
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit code ${rc}\nstderr: ${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT_FILE} ${EXPECT_FILE}
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  file(READ ${OUT_FILE} got)
  message(FATAL_ERROR "stdout differs from ${EXPECT_FILE}; got:\n${got}")
endif()
