/* The few PKCS#11 declarations the key database uses, written from the OASIS
 * PKCS#11 Cryptographic Token Interface Base Specification v2.40 (types, the
 * constants named there, and the CK_FUNCTION_LIST layout: a version, then the
 * 68 function pointers in the specification's order). On Unix-like systems the
 * structures use the platform's normal alignment and CK_ULONG is unsigned long.
 * Only the entries this library calls have full prototypes; the others are kept
 * as untyped pointers so the layout stays exact. The layout is checked against
 * the module's own exported symbols by tests/keydb. */
#ifndef KD_P11_H
#define KD_P11_H

typedef unsigned char CK_BYTE;
typedef CK_BYTE CK_BBOOL;
typedef CK_BYTE CK_UTF8CHAR;
typedef unsigned long CK_ULONG;
typedef CK_ULONG CK_RV;
typedef CK_ULONG CK_FLAGS;
typedef CK_ULONG CK_SLOT_ID;
typedef CK_ULONG CK_SESSION_HANDLE;
typedef CK_ULONG CK_OBJECT_HANDLE;
typedef CK_ULONG CK_OBJECT_CLASS;
typedef CK_ULONG CK_KEY_TYPE;
typedef CK_ULONG CK_ATTRIBUTE_TYPE;
typedef CK_ULONG CK_MECHANISM_TYPE;
typedef CK_ULONG CK_USER_TYPE;

#define CK_TRUE 1
#define CK_FALSE 0
#define CK_INVALID_HANDLE 0ul

/* Return values used. */
#define CKR_OK 0x00000000ul
#define CKR_KEY_HANDLE_INVALID 0x00000060ul
#define CKR_OBJECT_HANDLE_INVALID 0x00000082ul
#define CKR_USER_ALREADY_LOGGED_IN 0x00000100ul
#define CKR_CRYPTOKI_ALREADY_INITIALIZED 0x00000191ul

/* Flags. */
#define CKF_OS_LOCKING_OK 0x00000002ul /* CK_C_INITIALIZE_ARGS */
#define CKF_RW_SESSION 0x00000002ul    /* C_OpenSession */
#define CKF_SERIAL_SESSION 0x00000004ul

#define CKU_USER 1ul
#define CKO_SECRET_KEY 0x00000004ul
#define CKK_GENERIC_SECRET 0x00000010ul
#define CKM_SHA256_HMAC 0x00000251ul

/* Attribute types. */
#define CKA_CLASS 0x00000000ul
#define CKA_TOKEN 0x00000001ul
#define CKA_PRIVATE 0x00000002ul
#define CKA_LABEL 0x00000003ul
#define CKA_VALUE 0x00000011ul
#define CKA_KEY_TYPE 0x00000100ul
#define CKA_ID 0x00000102ul
#define CKA_SENSITIVE 0x00000103ul
#define CKA_ENCRYPT 0x00000104ul
#define CKA_DECRYPT 0x00000105ul
#define CKA_WRAP 0x00000106ul
#define CKA_UNWRAP 0x00000107ul
#define CKA_SIGN 0x00000108ul
#define CKA_VERIFY 0x0000010Aul
#define CKA_DERIVE 0x0000010Cul
#define CKA_EXTRACTABLE 0x00000162ul
#define CKA_MODIFIABLE 0x00000170ul

typedef struct CK_VERSION {
    CK_BYTE major, minor;
} CK_VERSION;

typedef struct CK_ATTRIBUTE {
    CK_ATTRIBUTE_TYPE type;
    void *pValue;
    CK_ULONG ulValueLen;
} CK_ATTRIBUTE;

typedef struct CK_MECHANISM {
    CK_MECHANISM_TYPE mechanism;
    void *pParameter;
    CK_ULONG ulParameterLen;
} CK_MECHANISM;

typedef struct CK_TOKEN_INFO {
    CK_UTF8CHAR label[32];
    CK_UTF8CHAR manufacturerID[32];
    CK_UTF8CHAR model[16];
    CK_BYTE serialNumber[16];
    CK_FLAGS flags;
    CK_ULONG ulMaxSessionCount, ulSessionCount, ulMaxRwSessionCount, ulRwSessionCount;
    CK_ULONG ulMaxPinLen, ulMinPinLen;
    CK_ULONG ulTotalPublicMemory, ulFreePublicMemory, ulTotalPrivateMemory, ulFreePrivateMemory;
    CK_VERSION hardwareVersion, firmwareVersion;
    CK_BYTE utcTime[16];
} CK_TOKEN_INFO;

typedef struct CK_C_INITIALIZE_ARGS {
    void *CreateMutex, *DestroyMutex, *LockMutex, *UnlockMutex; /* NULL: OS locking */
    CK_FLAGS flags;
    void *pReserved;
} CK_C_INITIALIZE_ARGS;

typedef void (*CK_UNUSED_FN)(void);

typedef struct CK_FUNCTION_LIST {
    CK_VERSION version;
    CK_RV (*C_Initialize)(void *pInitArgs);
    CK_RV (*C_Finalize)(void *pReserved);
    CK_UNUSED_FN C_GetInfo;
    CK_UNUSED_FN C_GetFunctionList;
    CK_RV (*C_GetSlotList)(CK_BBOOL tokenPresent, CK_SLOT_ID *pSlotList, CK_ULONG *pulCount);
    CK_UNUSED_FN C_GetSlotInfo;
    CK_RV (*C_GetTokenInfo)(CK_SLOT_ID slotID, CK_TOKEN_INFO *pInfo);
    CK_UNUSED_FN C_GetMechanismList;
    CK_UNUSED_FN C_GetMechanismInfo;
    CK_UNUSED_FN C_InitToken;
    CK_UNUSED_FN C_InitPIN;
    CK_UNUSED_FN C_SetPIN;
    CK_RV (*C_OpenSession)(CK_SLOT_ID slotID, CK_FLAGS flags, void *pApplication, void *Notify,
                           CK_SESSION_HANDLE *phSession);
    CK_RV (*C_CloseSession)(CK_SESSION_HANDLE hSession);
    CK_UNUSED_FN C_CloseAllSessions;
    CK_UNUSED_FN C_GetSessionInfo;
    CK_UNUSED_FN C_GetOperationState;
    CK_UNUSED_FN C_SetOperationState;
    CK_RV (*C_Login)(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR *pPin, CK_ULONG ulPinLen);
    CK_RV (*C_Logout)(CK_SESSION_HANDLE hSession);
    CK_RV (*C_CreateObject)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount,
                            CK_OBJECT_HANDLE *phObject);
    CK_UNUSED_FN C_CopyObject;
    CK_RV (*C_DestroyObject)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject);
    CK_UNUSED_FN C_GetObjectSize;
    CK_RV (*C_GetAttributeValue)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE *pTemplate,
                                 CK_ULONG ulCount);
    CK_UNUSED_FN C_SetAttributeValue;
    CK_RV (*C_FindObjectsInit)(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount);
    CK_RV (*C_FindObjects)(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE *phObject, CK_ULONG ulMaxObjectCount,
                           CK_ULONG *pulObjectCount);
    CK_RV (*C_FindObjectsFinal)(CK_SESSION_HANDLE hSession);
    CK_UNUSED_FN C_EncryptInit;
    CK_UNUSED_FN C_Encrypt;
    CK_UNUSED_FN C_EncryptUpdate;
    CK_UNUSED_FN C_EncryptFinal;
    CK_UNUSED_FN C_DecryptInit;
    CK_UNUSED_FN C_Decrypt;
    CK_UNUSED_FN C_DecryptUpdate;
    CK_UNUSED_FN C_DecryptFinal;
    CK_UNUSED_FN C_DigestInit;
    CK_UNUSED_FN C_Digest;
    CK_UNUSED_FN C_DigestUpdate;
    CK_UNUSED_FN C_DigestKey;
    CK_UNUSED_FN C_DigestFinal;
    CK_RV (*C_SignInit)(CK_SESSION_HANDLE hSession, CK_MECHANISM *pMechanism, CK_OBJECT_HANDLE hKey);
    CK_RV (*C_Sign)(CK_SESSION_HANDLE hSession, CK_BYTE *pData, CK_ULONG ulDataLen, CK_BYTE *pSignature,
                    CK_ULONG *pulSignatureLen);
    CK_UNUSED_FN C_SignUpdate;
    CK_UNUSED_FN C_SignFinal;
    CK_UNUSED_FN C_SignRecoverInit;
    CK_UNUSED_FN C_SignRecover;
    CK_UNUSED_FN C_VerifyInit;
    CK_UNUSED_FN C_Verify;
    CK_UNUSED_FN C_VerifyUpdate;
    CK_UNUSED_FN C_VerifyFinal;
    CK_UNUSED_FN C_VerifyRecoverInit;
    CK_UNUSED_FN C_VerifyRecover;
    CK_UNUSED_FN C_DigestEncryptUpdate;
    CK_UNUSED_FN C_DecryptDigestUpdate;
    CK_UNUSED_FN C_SignEncryptUpdate;
    CK_UNUSED_FN C_DecryptVerifyUpdate;
    CK_UNUSED_FN C_GenerateKey;
    CK_UNUSED_FN C_GenerateKeyPair;
    CK_UNUSED_FN C_WrapKey;
    CK_UNUSED_FN C_UnwrapKey;
    CK_UNUSED_FN C_DeriveKey;
    CK_UNUSED_FN C_SeedRandom;
    CK_UNUSED_FN C_GenerateRandom;
    CK_UNUSED_FN C_GetFunctionStatus;
    CK_UNUSED_FN C_CancelFunction;
    CK_UNUSED_FN C_WaitForSlotEvent;
} CK_FUNCTION_LIST;

typedef CK_RV (*CK_C_GetFunctionList)(CK_FUNCTION_LIST **ppFunctionList);

#endif
