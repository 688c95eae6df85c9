# The device-only build (included by the top-level CMakeLists.txt when
# AIOTSEC_DEVICE_ONLY is ON): libaiotsec.a with just what a tag needs. No
# libsodium, OpenSSL, pthread, stdio, getenv or getrandom, no heap call in
# anything a tag links (scripts/firmware.sh checks the images); the backend is the
# portable one (include/aiotsec/portable.h); contexts live in caller storage
# (aiotsec_ctx_init). Sources come from this explicit list, never from a glob.
#
# Host:   cmake -S . -B build-fw/host -DAIOTSEC_DEVICE_ONLY=ON   (the same library, tests/fw)
# Tag:    cmake -S . -B build-fw/m0 -DAIOTSEC_DEVICE_ONLY=ON \
#               -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake -DAIOTSEC_FW_CPU=cortex-m0plus
#         (adds the self-test and tag images of fw/CMakeLists.txt)

option(AIOTSEC_WITH_AES "Device-only build: compile AES-128 in (128-NIA2, 128-NEA2)" OFF)
option(AIOTSEC_DEVICE_COUNTERS_32 "Device-only build: 32-bit device counters (widened when read)" ON)
option(AIOTSEC_LTO "Device-only build: link-time optimisation (fat LTO objects: the library links with or without -flto)"
       ${CMAKE_CROSSCOMPILING})
set(AIOTSEC_DEVICE_MSG_MAX 2048 CACHE STRING
    "Device-only build: largest deciphered payload of a ciphered (NEA2) COMMAND REQUEST, in octets (stack buffer)")
if(NOT AIOTSEC_DEVICE_MSG_MAX MATCHES "^[0-9]+$" OR AIOTSEC_DEVICE_MSG_MAX LESS 64)
  message(FATAL_ERROR "AIOTSEC_DEVICE_MSG_MAX must be a number of octets, at least 64")
endif()

set(AIOTSEC_DEVICE_SOURCES
  src/core/backend_calls.c src/core/backend_registry.c src/core/context.c src/core/ct.c
  src/core/derive.c src/core/filter.c src/core/kdf.c src/core/profile.c src/core/profile0.c
  src/core/status.c src/core/version.c
  src/nas/nas_aia_hs.c src/nas/nas_cmac.c src/nas/nas_decode.c src/nas/nas_encode.c
  src/nas/nas_map.c src/nas/nas_nea2.c src/nas/nas_security.c
  src/roles/device.c
  backends/portable/portable_backend.c backends/portable/sha256_small.c backends/portable/aes128_small.c)

# Backend states are kept in the device's storage and on the stack: sized to the
# portable backend (its HMAC state, or its AES state with AES), not to 512.
if(AIOTSEC_WITH_AES)
  set(AIOTSEC_DEVICE_STATE_MAX 176)
else()
  set(AIOTSEC_DEVICE_STATE_MAX 144)
endif()

if(CMAKE_CROSSCOMPILING AND AIOTSEC_FW_CPU)
  # Also here, not only in the toolchain's *_INIT flags, so that a CMAKE_C_FLAGS
  # given on the command line cannot drop them.
  add_compile_options(-mcpu=${AIOTSEC_FW_CPU} -mthumb)
  add_link_options(-mcpu=${AIOTSEC_FW_CPU} -mthumb)
endif()
add_compile_options(-ffunction-sections -fdata-sections)
if(AIOTSEC_LTO)
  # About a fifth less flash for a tag (docs/notes/firmware.md); fat objects keep
  # ordinary code next to the LTO bytecode, for firmware linked without -flto.
  add_compile_options(-flto -ffat-lto-objects)
  add_link_options(-flto)
endif()

add_library(aiotsec STATIC ${AIOTSEC_DEVICE_SOURCES})
set_target_properties(aiotsec PROPERTIES OUTPUT_NAME aiotsec)
target_include_directories(aiotsec PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/backends)
# PUBLIC: code that links the library sees the same build (backend.h, portable.h).
target_compile_definitions(aiotsec
  PUBLIC AIOTSEC_DEVICE_ONLY AIOTSEC_BACKEND_STATE_MAX=${AIOTSEC_DEVICE_STATE_MAX}u
         $<$<BOOL:${AIOTSEC_WITH_AES}>:AIOTSEC_WITH_AES>
  PRIVATE AIOTSEC_BUILDING_LIBRARY AIOTSEC_DEVICE_MSG_MAX=${AIOTSEC_DEVICE_MSG_MAX}u
          $<$<BOOL:${AIOTSEC_DEVICE_COUNTERS_32}>:AIOTSEC_DEVICE_COUNTERS_32>)
message(STATUS "aiotsec: device-only build (AES ${AIOTSEC_WITH_AES}, 32-bit counters "
               "${AIOTSEC_DEVICE_COUNTERS_32}, state max ${AIOTSEC_DEVICE_STATE_MAX}, LTO ${AIOTSEC_LTO})")

install(TARGETS aiotsec ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/aiotsec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

if(CMAKE_CROSSCOMPILING)
  add_subdirectory(fw)
elseif(AIOTSEC_BUILD_TESTS)
  enable_testing()
  add_subdirectory(tests/fw)
endif()
