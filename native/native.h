/* native.h — the native layer: a verified pack's plans as C (cgen.c), built
 * by the system's C compiler into a shared object kept in a cache keyed by
 * the pack's identity (cache.c, build.c), which the VM loads beside the
 * bytecode it came from (vm/native_load.c). What the embedding API uses of it.
 * Must not load or run native code itself: that is the VM's. */
#ifndef RG_NATIVE_H
#define RG_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "native_abi.h"
#include "program.h"
#include "text.h"

/* Bumped whenever the generator writes other C for the same pack: the cache
 * key holds the pack's id and the run-time header's text (native_rt.h and
 * the rest of rgn_abi_text), not the generated C. */
#define RGN_GENERATOR_VERSION 10

/* The flags every native object is built with (part of its cache key). */
#define RGN_CFLAGS "-std=gnu11 -O2 -shared -fPIC -fvisibility=hidden -w"

/* The text every generated file starts with: bytecode/values.h,
 * bytecode/calendar.h, bytecode/program.h, vm/vm.h, vm/native_abi.h and
 * native/native_rt.h, their project includes taken out (the build writes it
 * into build/gen/native_text.c). */
extern const char rgn_abi_text[];
extern const size_t rgn_abi_text_len;

/* The identity of an image: BLAKE2b-256 of its bytes. 0, or -1 when
 * libsodium does not start. */
int rgn_image_id(const void *image, size_t len, uint8_t id[RG_NATIVE_ID_BYTES]);

/* The C of program p's plans and every chunk they may reach, appended to
 * out: one function a chunk, one exported entry (vm/native_abi.h) that says
 * it was generated from the image whose identity is id. p was verified. 0,
 * or -1 with why in err (a pack that calls host functions, or has no plans,
 * gets none). */
int rgn_generate(const rg_program *p, const uint8_t id[RG_NATIVE_ID_BYTES], rg_sb *out, char *err, size_t errlen);

/* ---- the cache (cache.c) ----
 * Native objects live in one directory: $REGULA_NATIVE_CACHE, else
 * $XDG_CACHE_HOME/regula/native, else $HOME/.cache/regula/native. It is made
 * (mode 0700) when missing, and used only when it is a directory owned by
 * this user that no one else may write. 0, or -1 with why in err. */
int rgn_cache_dir(char *out, size_t cap, char *err, size_t errlen);

/* The C compiler command: $REGULA_CC, else "cc". */
const char *rgn_cc(void);

/* The file of the native code for the image whose identity is id, built
 * with cc, in the cache directory dir: DIR/<key>.so, the key a hash of the
 * identity, the generator's version and text, and the compiler's command. */
void rgn_cache_path(const char *dir, const uint8_t id[RG_NATIVE_ID_BYTES], const char *cc, char *path, size_t cap);

/* ---- building (build.c) ----
 * Generate p's C, compile it with cc (`cc -O2 -shared -fPIC`) and put the
 * shared object at path atomically (a rename). 0, or -1 with a message in
 * err that says what failed (the compiler's first line of complaint). */
int rgn_build(const rg_program *p, const uint8_t id[RG_NATIVE_ID_BYTES], const char *cc, const char *path, char *err,
              size_t errlen);

#endif
