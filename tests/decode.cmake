# Decode engine tests (label decode; the 2B4T-shape run is also `slow`).
if(TARGET bitnet_model)
  add_library(bitnet_decode_testlib STATIC
    ${CMAKE_CURRENT_LIST_DIR}/test_decode_ref.cc
    ${CMAKE_CURRENT_LIST_DIR}/test_decode_util.cc
  )
  target_link_libraries(bitnet_decode_testlib PUBLIC bitnet_model nlohmann_json::nlohmann_json
                        GTest::gtest)
  target_compile_definitions(bitnet_decode_testlib PRIVATE BITNET_TEST_DATA_DIR="${BITNET_TEST_DATA_DIR}")

  bitnet_add_gtest(test_decode_golden LABELS decode
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_golden.cc
    LIBS bitnet_decode_testlib)
  bitnet_add_gtest(test_decode_engine LABELS decode
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_engine.cc
    LIBS bitnet_decode_testlib)
endif()
if(TARGET bitnet_model)
  bitnet_add_gtest(test_decode_2b4t LABELS decode slow
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_decode_2b4t.cc
    LIBS bitnet_decode_testlib)
endif()
