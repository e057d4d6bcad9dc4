# Install tree: headers, libraries, CMake package (ringkit::core, ringkit::uring, ringkit::sim)
# and pkg-config files (ringkit, ringkit-uring, ringkit-sim).
include(CMakePackageConfigHelpers)

set(RINGKIT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ringkit")

install(TARGETS ringkit_core ringkit_uring ringkit_sim EXPORT ringkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY core/include/ringkit backends/uring/include/ringkit sim/include/ringkit
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ringkitTargets NAMESPACE ringkit:: DESTINATION ${RINGKIT_CMAKE_DIR})

configure_package_config_file(cmake/ringkitConfig.cmake.in
  "${PROJECT_BINARY_DIR}/ringkitConfig.cmake" INSTALL_DESTINATION ${RINGKIT_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ringkitConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/ringkitConfig.cmake"
              "${PROJECT_BINARY_DIR}/ringkitConfigVersion.cmake"
        DESTINATION ${RINGKIT_CMAKE_DIR})

# Relocatable: the prefix is found from the .pc file's own place (pkg-config's ${pcfiledir}).
file(RELATIVE_PATH RINGKIT_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(cmake/ringkit.pc.in "${PROJECT_BINARY_DIR}/ringkit.pc" @ONLY)
# The kernel backend has its own file: it adds liburing, which ringkit's core does not need.
configure_file(cmake/ringkit-uring.pc.in "${PROJECT_BINARY_DIR}/ringkit-uring.pc" @ONLY)
# The simulator too: Boost.Intrusive is header-only, found where the compiler looks already.
configure_file(cmake/ringkit-sim.pc.in "${PROJECT_BINARY_DIR}/ringkit-sim.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/ringkit.pc" "${PROJECT_BINARY_DIR}/ringkit-uring.pc"
              "${PROJECT_BINARY_DIR}/ringkit-sim.pc"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
