/* native.h — the native layer: a verified pack's plans as C (cgen.c), built by
 * the system's C compiler into a native object kept in a cache (cache.c,
 * build.c), which the VM loads beside the bytecode it came from
 * (vm/native.c). What the embedding API and the command line use of it.
 * Must not load or run native code itself: that is the VM's. */
#ifndef RG_NATIVE_H
#define RG_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "text.h"

/* Bumped when the generator's C changes meaning without its text changing
 * (the cache key holds the text's hash anyway). */
#define RGN_GENERATOR_VERSION 1

/* The text every generated file starts with: bytecode/values.h,
 * bytecode/calendar.h, bytecode/program.h, vm/vm.h, vm/native_abi.h and
 * native/native_rt.h, their project includes taken out (the build writes it
 * into build/gen/native_text.c). */
extern const char rgn_abi_text[];
extern const size_t rgn_abi_text_len;

/* The C of program p's plans and every chunk they may reach, appended to
 * out: one function a chunk, one exported entry (vm/native_abi.h). p was
 * loaded from an image (p->image_hash) and verified. 0, or -1 with why in
 * err (a pack that calls host functions, or has no plans, gets none). */
int rgn_generate(const rg_program *p, rg_sb *out, char *err, size_t errlen);

/* ---- the cache (cache.c) ----
 * Native objects live in one directory: DIR when not NULL, else
 * $REGULA_NATIVE_CACHE, else $XDG_CACHE_HOME/regula/native, else
 * $HOME/.cache/regula/native. It is made (mode 0700) when missing, and used
 * only when it is a directory owned by this user that no one else may write. */
int rgn_cache_dir(const char *dir, char *out, size_t cap, char *err, size_t errlen);

/* The C compiler command: CC when not NULL, else $REGULA_CC, else "cc". */
const char *rgn_cc(const char *cc);

/* The file of the native code for the image (len bytes) built with cc, in
 * the cache directory dir: DIR/<key>.rgn, the key a hash of the image, the
 * generator's version and text, and the compiler's command and flags. */
void rgn_cache_path(const char *dir, const void *image, size_t len, const char *cc, char *path, size_t cap);

/* ---- building (build.c) ---- */

/* Generate p's C (p loaded from image), compile it with cc into a shared
 * object and write the native object file path (vm/native.h's format: the
 * image, then the object) in its place atomically. 0, or -1 with a message in
 * err that says what failed (the compiler's first lines of complaint). */
int rgn_build(const rg_program *p, const void *image, size_t len, const char *cc, const char *path, char *err,
              size_t errlen);

#endif
