/**
 * @file aiotsec.h
 * @brief Umbrella header: includes the whole public API of libaiotsec.
 *
 * One include gives a network function or a tool every area of the core
 * library (the modules under @ref core). It leaves out aiotsec/testing.h
 * (@ref testing), and it leaves out aiotsec/deprecated.h (@ref deprecated)
 * when AIOTSEC_NO_DEPRECATED is defined. The companion libraries have headers
 * of their own (@ref companions). Where to start, by audience: @ref index.
 * @ingroup core
 */
#ifndef AIOTSEC_AIOTSEC_H
#define AIOTSEC_AIOTSEC_H

#include "aiotsec/export.h"
#include "aiotsec/version.h"
#include "aiotsec/status.h"
#include "aiotsec/backend.h"
#include "aiotsec/portable.h"
#include "aiotsec/profile.h"
#include "aiotsec/context.h"
#include "aiotsec/kdf.h"
#include "aiotsec/derive.h"
#include "aiotsec/prepared.h"
/* Areas add their headers below, one line each. */
#include "aiotsec/nas.h"
#include "aiotsec/nas_security.h"
#include "aiotsec/nas_algs.h"
#include "aiotsec/batch.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nadm.h"
#include "aiotsec/adm.h"
#include "aiotsec/aiotf.h"
#include "aiotsec/device.h"
#ifndef AIOTSEC_NO_DEPRECATED
#include "aiotsec/deprecated.h"
#endif

#endif /* AIOTSEC_AIOTSEC_H */
