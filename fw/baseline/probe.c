/* Prints aiotsec_device_statebytes() of the "before" library (fw/baseline/measure_before.sh). */
#include <aiotsec/device.h>

#include "fw.h"

int main(void)
{
    fw_put_uint((uint32_t)aiotsec_device_statebytes());
    fw_puts("\n");
    return 0;
}
