# Installs the ringkit build into a fresh prefix, then configures, builds and runs the consumer
# project against it with nothing but CMAKE_PREFIX_PATH.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: `${ARGN}` failed (${rc})")
  endif()
endfunction()

run("${CMAKE_COMMAND}" --install "${RINGKIT_BINARY_DIR}" --prefix "${prefix}")
run("${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${WORK_DIR}/build"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/consumer")

# pkg-config must find it too (ringkit-uring and ringkit-sim bring ringkit and liburing along),
# and their flags alone must build the same program.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs "ringkit-sim >= 0.1" "ringkit-uring >= 0.1"
                OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer test: pkg-config does not find ringkit-sim/ringkit-uring in ${prefix}")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
run("${CXX_COMPILER}" "${CONSUMER_SOURCE_DIR}/main.cpp" -o "${WORK_DIR}/consumer-pc" ${flags})
run("${WORK_DIR}/consumer-pc")
