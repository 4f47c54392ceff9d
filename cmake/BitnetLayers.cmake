# The library graph (docs/architecture.md). Each project library may link only the project
# libraries listed for it here; bitnet_check_layers() fails the configure step otherwise, so a
# new edge is a deliberate edit of this table, not an accident of target_link_libraries.
#
#   formats <- gguf <- fixtures        formats <- kernels <- engine
#   gguf <- tokenizer (the vocabulary is read from the GGUF keys)
#   fixtures -> engine only through bitnet_engine_view (the tensor view, header-only)
set(BITNET_LAYERS
  "bitnet_formats:"
  "bitnet_kernels:bitnet_formats"
  "bitnet_engine_view:bitnet_formats"
  "bitnet_engine:bitnet_kernels,bitnet_engine_view,bitnet_formats"
  "bitnet_gguf:bitnet_formats"
  "bitnet_fixtures:bitnet_gguf,bitnet_formats,bitnet_engine_view,bitnet_kernels"
  "bitnet_tokenizer:bitnet_gguf"
  "bitnet_results:"
  "bitnet_cli:"
  "bitnet_residency:"
  "bitnet_bench_support:bitnet_results,bitnet_residency,bitnet_kernels,bitnet_fixtures,bitnet_formats"
  "bitnet_compare:bitnet_results,bitnet_gguf,bitnet_text,bitnet_residency"
  "bitnet_text:"
  "bitnet_crossval:bitnet_engine,bitnet_compare,bitnet_fixtures,bitnet_gguf,bitnet_results"
  "bitnet_peer_kernels:bitnet_kernels,bitnet_formats,bitnet_compare"
  "bitnet_diff:bitnet_results"
  "bitnet_report_model:bitnet_diff,bitnet_results"
  "bitnet_report_render:bitnet_report_model,bitnet_diff,bitnet_results"
)

# bitnet_layer_violations(<out-var> <target> <linked...>): the project libraries (bitnet_*) among
# <linked...> that <target> may not link; "<target>: unknown library" for a target missing from
# the table. Pure (no target queries), so tests/layers_check.cmake can feed it made-up edges.
function(bitnet_layer_violations out target)
  set(allowed "")
  set(found FALSE)
  foreach(row IN LISTS BITNET_LAYERS)
    string(REPLACE ":" ";" parts "${row}")
    list(GET parts 0 name)
    if(name STREQUAL target)
      set(found TRUE)
      list(LENGTH parts n)
      if(n GREATER 1)
        list(GET parts 1 deps)
        string(REPLACE "," ";" allowed "${deps}")
      endif()
    endif()
  endforeach()
  if(NOT found)
    set(${out} "${target}: not in BITNET_LAYERS (cmake/BitnetLayers.cmake)" PARENT_SCOPE)
    return()
  endif()
  set(bad "")
  foreach(dep IN LISTS ARGN)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
    if(dep MATCHES "^bitnet_" AND NOT dep IN_LIST allowed)
      list(APPEND bad "${target} -> ${dep}")
    endif()
  endforeach()
  set(${out} "${bad}" PARENT_SCOPE)
endfunction()

# Checks every library of the table against its real LINK_LIBRARIES / INTERFACE_LINK_LIBRARIES.
function(bitnet_check_layers)
  set(errors "")
  foreach(row IN LISTS BITNET_LAYERS)
    string(REPLACE ":" ";" parts "${row}")
    list(GET parts 0 target)
    if(NOT TARGET ${target})
      list(APPEND errors "${target}: listed in BITNET_LAYERS but not defined")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    set(links "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(l ${target} LINK_LIBRARIES)
      if(l)
        list(APPEND links ${l})
      endif()
    endif()
    get_target_property(il ${target} INTERFACE_LINK_LIBRARIES)
    if(il)
      list(APPEND links ${il})
    endif()
    bitnet_layer_violations(bad ${target} ${links})
    list(APPEND errors ${bad})
  endforeach()
  if(errors)
    string(REPLACE ";" "\n  " msg "${errors}")
    message(FATAL_ERROR "library layering violated (cmake/BitnetLayers.cmake):\n  ${msg}")
  endif()
endfunction()
