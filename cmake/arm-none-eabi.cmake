# Toolchain file for bare-metal Arm Cortex-M (Debian 12: gcc-arm-none-eabi 12.2,
# libnewlib-arm-none-eabi). Use with the device-only build:
#   cmake -S . -B build-fw/m0 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
#         -DAIOTSEC_DEVICE_ONLY=ON -DAIOTSEC_FW_CPU=cortex-m0plus
# AIOTSEC_FW_CPU is the -mcpu value (cortex-m0plus, cortex-m0, cortex-m3, cortex-m4 ...).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(AIOTSEC_FW_CPU "cortex-m0plus" CACHE STRING "Target core (-mcpu)")
set(AIOTSEC_FW_PREFIX "arm-none-eabi-" CACHE STRING "Cross tool prefix")

set(CMAKE_C_COMPILER ${AIOTSEC_FW_PREFIX}gcc)
set(CMAKE_ASM_COMPILER ${AIOTSEC_FW_PREFIX}gcc)
# gcc-ar / gcc-ranlib: archives of LTO objects (AIOTSEC_LTO) need the plugin.
set(CMAKE_AR ${AIOTSEC_FW_PREFIX}gcc-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${AIOTSEC_FW_PREFIX}gcc-ranlib CACHE FILEPATH "")
set(CMAKE_SIZE ${AIOTSEC_FW_PREFIX}size CACHE FILEPATH "")

# Nothing to run on the build machine: the compiler check links a static library only.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Thumb code for the chosen core, sections the linker can drop. The images add
# newlib-nano (the library needs memcpy, memset, memmove and memcmp only: no stdio,
# no heap), their startup code and linker script (fw/CMakeLists.txt).
set(CMAKE_C_FLAGS_INIT "-mcpu=${AIOTSEC_FW_CPU} -mthumb -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "-mcpu=${AIOTSEC_FW_CPU} -mthumb")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-mcpu=${AIOTSEC_FW_CPU} -mthumb")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
