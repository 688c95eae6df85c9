/**
 * @file aiotsec.h
 * @brief Umbrella header: includes the whole public API of libaiotsec.
 *
 * @mainpage aiotsec
 * aiotsec is the security core of 3GPP Ambient IoT: the TS 33.220 KDF,
 * RES_AIOT / XRES_AIOT / K_AIOTF derivation, AIOT NAS message protection and
 * the ADM, AIOTF and device roles of the authentication procedure, over
 * pluggable crypto backends. Start with context.h, derive.h and status.h.
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
