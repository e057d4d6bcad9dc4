# Warnings and sanitizers for ringkit's own targets only; consumers never inherit them.
add_library(ringkit_build_flags INTERFACE)
target_compile_options(ringkit_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast)
if(RINGKIT_WERROR)
  target_compile_options(ringkit_build_flags INTERFACE -Werror)
endif()
if(RINGKIT_SANITIZE)
  target_compile_options(ringkit_build_flags INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(ringkit_build_flags INTERFACE -fsanitize=address,undefined)
endif()
