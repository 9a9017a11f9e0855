# Installs the build tree BUILD_DIR into PREFIX and runs PREFIX/bin/rsnn
# --help with LD_LIBRARY_PATH unset: it must find librsnn through its RUNPATH.
# A dispatch build installs its instruction-set VARIANTS into
# PREFIX/LIBDIR/glibc-hwcaps/<level>/, beside the baseline library.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE installed OUTPUT_QUIET)
if(NOT installed EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed (${installed})")
endif()
foreach(level ${VARIANTS})
  if(NOT EXISTS ${PREFIX}/${LIBDIR}/glibc-hwcaps/${level}/librsnn.so)
    message(FATAL_ERROR "the ${level} variant was not installed in ${PREFIX}/${LIBDIR}/glibc-hwcaps/${level}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${PREFIX}/bin/rsnn --help
                RESULT_VARIABLE ran OUTPUT_VARIABLE help ERROR_VARIABLE error)
if(NOT ran EQUAL 0 OR NOT help MATCHES "Usage")
  message(FATAL_ERROR "the installed ${PREFIX}/bin/rsnn did not run (${ran}): ${error}")
endif()
file(REMOVE_RECURSE ${PREFIX})
