/* Residue scanner of the residue tests (issue 14, "secrets that leave no trace").
 *
 * A program linked with residue.c has its own free() and realloc() (ELF
 * interposition: the library and the C library call them too), which scan
 * every block the program releases, before releasing it, for the patterns
 * registered here: key octets and key hex text. residue_scan_stack() scans the
 * stack below the caller's frame, where the frames of the calls the caller
 * made before lay. A pattern counts as found when min_match consecutive octets
 * of it appear (half a key is still a residue).
 *
 * Not for sanitizer builds (their runtimes own malloc and the stack layout);
 * under valgrind memcheck the scanned memory is marked defined first (the scan
 * reads uninitialised memory on purpose). */
#ifndef AIOTSEC_TEST_RESIDUE_H
#define AIOTSEC_TEST_RESIDUE_H

#include <stddef.h>
#include <stdint.h>

/* Forgets every pattern and finding; scanning stops until residue_add*(). */
void residue_reset(void);

/* Registers a pattern (copied into the scanner's static storage). */
void residue_add(const void *pattern, size_t len, size_t min_match, const char *what);

/* Registers a key: its octets (8 consecutive octets found = residue) and its hex
 * text, lower and upper case (16 consecutive characters found = residue). */
void residue_add_key(const uint8_t *key, size_t len, const char *what);

/* Findings since the last residue_reset() or residue_clear_findings(). */
size_t residue_findings(void);
void residue_clear_findings(void);

/* Prints the findings (at most the first 16 in detail) on stderr under a title. */
void residue_report(const char *title);

/* Scans (then wipes) the stack region below the caller's frame; returns the
 * number of new findings there. Call it right after the call under test. */
size_t residue_scan_stack(const char *where);

/* Wipes that region without scanning: call it before the call under test, so
 * that only what the call leaves behind is seen. */
void residue_clear_stack(void);

/* Lower-case hex of in into out (2 * len + 1 octets), without stdio. */
void residue_hex(const uint8_t *in, size_t len, char *out, int upper);

/* Deterministic random-looking octets (splitmix64 stream). */
void residue_random(uint64_t *state, uint8_t *out, size_t len);

/* Writes len octets to a new file at path (mode 0600) with write(2): no stdio
 * buffer ever holds the text. Returns 0 or -1. */
int residue_write_file(const char *path, const void *data, size_t len);

/* Positive controls: a key in a freed block, in a block given to realloc and
 * left on the stack must each be found. Returns 0 when all three are. */
int residue_self_test(void);

#endif
