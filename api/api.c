/* api.c — the embedding API of include/regula.h, the top of libregula: host function registries, loading and verifying packs (binding their externs), contexts with their allocator and limits, claims from JSON, the host-kept ledger, settling, results.
 * Must not keep global mutable state, write a loaded program, exit, abort or longjmp; it is the one place that composes the VM (vm/vm.h) and the stdlib (stdlib/rg_stdlib.h) into a settlement: `regula run` and every other tool settle through it (regula_settle_line). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_impl.h"
#include "bytecode_io.h"
#include "explain.h"
#include "rg_stdlib.h"

_Static_assert(REGULA_ERR_RUNTIME == (int)RG_ERR_RUNTIME && REGULA_ERR_BUDGET == (int)RG_ERR_BUDGET &&
                   REGULA_ERR_MEMORY == (int)RG_ERR_MEMORY && REGULA_ERR_INPUT == (int)RG_ERR_INPUT &&
                   REGULA_ERR_USAGE == (int)RG_ERR_USAGE,
               "regula_status and rg_status agree on their common codes");
_Static_assert(REGULA_T_BOOL == (int)RG_T_BOOL && REGULA_T_INT == (int)RG_T_INT && REGULA_T_MONEY == (int)RG_T_MONEY &&
                   REGULA_T_PERCENT == (int)RG_T_PERCENT && REGULA_T_DATE == (int)RG_T_DATE &&
                   REGULA_T_DURATION == (int)RG_T_DURATION && REGULA_T_STRING == (int)RG_T_STRING &&
                   REGULA_T_REGION == (int)RG_T_REGION && REGULA_T_ENUM == (int)RG_T_ENUM,
               "regula_type names the VM's type kinds");
_Static_assert(REGULA_MAX_ARGS == RG_EXTERN_MAX_ARGS, "one limit on host function arguments");

#define DEFAULT_BUDGET 10000000u

/* ---- allocation ---------------------------------------------------------------------- */

static void *libc_malloc(size_t n, void *ud) { (void)ud; return malloc(n); }
static void *libc_realloc(void *p, size_t n, void *ud) { (void)ud; return realloc(p, n); }
static void libc_free(void *p, void *ud) { (void)ud; free(p); }

/* The allocator to use: the host's (all three functions given) or the C library's. */
static int pick_allocator(const regula_allocator *in, regula_allocator *out)
{
    if (!in) {
        *out = (regula_allocator){libc_malloc, libc_realloc, libc_free, NULL};
        return 0;
    }
    if (!in->malloc_fn || !in->realloc_fn || !in->free_fn)
        return -1;
    *out = *in;
    return 0;
}

/* Pack-level memory (the extern table) as an rg_alloc: ud is the pack's allocator. */
static void *pack_mem(void *ud, void *ptr, size_t n)
{
    const regula_allocator *a = ud;
    if (n == 0) {
        if (ptr)
            a->free_fn(ptr, a->ud);
        return NULL;
    }
    return ptr ? a->realloc_fn(ptr, n, a->ud) : a->malloc_fn(n, a->ud);
}

/* Each context block carries its size in front, so that the context knows
 * what it holds and can refuse to grow past its limit. */
typedef union {
    size_t size;
    max_align_t align;
} mhdr;

void *rg_api_ctx_mem(void *ud, void *ptr, size_t n)
{
    regula_ctx *c = ud;
    mhdr *h = ptr ? (mhdr *)ptr - 1 : NULL;
    size_t old = h ? h->size : 0;
    if (n == 0) {
        if (h) {
            c->in_use -= old;
            c->alloc.free_fn(h, c->alloc.ud);
        }
        return NULL;
    }
    if (n > SIZE_MAX - sizeof(mhdr) || (c->limit && c->in_use - old + n > c->limit))
        return NULL;
    mhdr *nh = h ? c->alloc.realloc_fn(h, n + sizeof *nh, c->alloc.ud) : c->alloc.malloc_fn(n + sizeof *nh, c->alloc.ud);
    if (!nh)
        return NULL;
    c->in_use = c->in_use - old + n;
    nh->size = n;
    return nh + 1;
}

static void *cmem(regula_ctx *c, size_t n)
{
    return rg_api_ctx_mem(c, NULL, n);
}

static void cfree(regula_ctx *c, void *p)
{
    rg_api_ctx_mem(c, p, 0);
}

/* ---- host function registries -------------------------------------------------------- */

typedef struct {
    char *name;
    regula_fn fn;
    regula_type result;
    unsigned n_args;
    regula_type args[REGULA_MAX_ARGS];
    unsigned flags;
} host_entry;

struct regula_host {
    regula_allocator alloc;
    host_entry *fns;
    unsigned n, cap;
    char *library; /* regula_host_add_library's path, or NULL */
    char err[256];
};

regula_status regula_host_new(const regula_allocator *alloc, regula_host **out)
{
    regula_allocator a;
    if (!out)
        return REGULA_ERR_USAGE;
    *out = NULL;
    if (pick_allocator(alloc, &a))
        return REGULA_ERR_USAGE;
    regula_host *h = a.malloc_fn(sizeof *h, a.ud);
    if (!h)
        return REGULA_ERR_MEMORY;
    memset(h, 0, sizeof *h);
    h->alloc = a;
    *out = h;
    return REGULA_OK;
}

static int host_type_ok(regula_type t)
{
    return t >= REGULA_T_BOOL && t <= REGULA_T_ENUM;
}

static regula_status host_fail(regula_host *h, regula_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static regula_status host_fail(regula_host *h, regula_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->err, sizeof h->err, fmt, ap);
    va_end(ap);
    return st;
}

regula_status regula_host_add(regula_host *h, const char *name, regula_fn fn, regula_type result, unsigned n_args,
                              const regula_type *args, unsigned flags)
{
    if (!h)
        return REGULA_ERR_USAGE;
    h->err[0] = '\0';
    if (!name || !*name || !fn)
        return host_fail(h, REGULA_ERR_USAGE, "a host function needs a name and a function pointer");
    if (n_args > REGULA_MAX_ARGS || (n_args && !args))
        return host_fail(h, REGULA_ERR_USAGE, "host function '%s': at most %d arguments, given as an array of types",
                         name, REGULA_MAX_ARGS);
    if (!host_type_ok(result))
        return host_fail(h, REGULA_ERR_USAGE, "host function '%s': result type %d is not a value type", name, (int)result);
    for (unsigned k = 0; k < n_args; k++)
        if (!host_type_ok(args[k]))
            return host_fail(h, REGULA_ERR_USAGE, "host function '%s': argument %u has no value type (%d)", name,
                             k + 1, (int)args[k]);
    if (flags & ~(REGULA_FN_WITH_CTX | REGULA_FN_MAY_RETURN_NONE))
        return host_fail(h, REGULA_ERR_USAGE, "host function '%s': unknown flags 0x%x", name, flags);
    for (unsigned i = 0; i < h->n; i++)
        if (strcmp(h->fns[i].name, name) == 0)
            return host_fail(h, REGULA_ERR_USAGE, "host function '%s' is registered twice", name);
    if (h->n == h->cap) {
        unsigned cap = h->cap ? h->cap * 2 : 8;
        host_entry *nf = h->fns ? h->alloc.realloc_fn(h->fns, cap * sizeof *nf, h->alloc.ud)
                                : h->alloc.malloc_fn(cap * sizeof *nf, h->alloc.ud);
        if (!nf)
            return host_fail(h, REGULA_ERR_MEMORY, "out of memory");
        h->fns = nf;
        h->cap = cap;
    }
    size_t len = strlen(name);
    char *copy = h->alloc.malloc_fn(len + 1, h->alloc.ud);
    if (!copy)
        return host_fail(h, REGULA_ERR_MEMORY, "out of memory");
    memcpy(copy, name, len + 1);
    host_entry *e = &h->fns[h->n++];
    memset(e, 0, sizeof *e);
    e->name = copy;
    e->fn = fn;
    e->result = result;
    e->n_args = n_args;
    for (unsigned k = 0; k < n_args; k++)
        e->args[k] = args[k];
    e->flags = flags;
    return REGULA_OK;
}

regula_status regula_host_add_library(regula_host *h, const char *path)
{
    if (!h)
        return REGULA_ERR_USAGE;
    h->err[0] = '\0';
    if (!path || !*path)
        return host_fail(h, REGULA_ERR_USAGE, "regula_host_add_library needs the path of a shared library");
    if (h->library)
        return host_fail(h, REGULA_ERR_USAGE, "host functions already come from the library '%s'; one library a registry",
                         h->library);
    size_t len = strlen(path);
    char *copy = h->alloc.malloc_fn(len + 1, h->alloc.ud);
    if (!copy)
        return host_fail(h, REGULA_ERR_MEMORY, "out of memory");
    memcpy(copy, path, len + 1);
    h->library = copy;
    return REGULA_OK;
}

const char *regula_host_errmsg(const regula_host *h)
{
    return h ? h->err : "no host registry";
}

void regula_host_free(regula_host *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < h->n; i++)
        h->alloc.free_fn(h->fns[i].name, h->alloc.ud);
    if (h->fns)
        h->alloc.free_fn(h->fns, h->alloc.ud);
    if (h->library)
        h->alloc.free_fn(h->library, h->alloc.ud);
    h->alloc.free_fn(h, h->alloc.ud);
}

/* ---- packs ---------------------------------------------------------------------------- */


/* "(string, money) -> percent?" of a registration (a declaration's: rg_extern_signature). */
static void registered_signature(char *buf, size_t cap, const host_entry *e)
{
    size_t used = (size_t)snprintf(buf, cap, "(");
    for (unsigned k = 0; k < e->n_args && used < cap; k++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", k ? ", " : "", rg_type_kind_name(e->args[k]));
    if (used < cap)
        snprintf(buf + used, cap - used, ") -> %s%s", rg_type_kind_name(e->result),
                 e->flags & REGULA_FN_MAY_RETURN_NONE ? "?" : "");
}

static int same_signature(const rg_extern *x, const host_entry *e)
{
    if (x->n_args != e->n_args || RG_TYPE_KIND(x->result) != (rg_type_kind)e->result)
        return 0;
    if ((e->flags & REGULA_FN_MAY_RETURN_NONE) && !x->result_optional)
        return 0;
    for (unsigned k = 0; k < e->n_args; k++)
        if (RG_TYPE_KIND(x->args[k]) != (rg_type_kind)e->args[k])
            return 0;
    return 1;
}

static void put_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Every extern of the pack bound to the host's function of that name and
 * signature, or to the symbol of that name in the host's library. */
static regula_status bind_externs(regula_pack *pk, const regula_host *host, char *err, size_t errlen)
{
    const rg_program *p = pk->prog;
    if (p->n_externs == 0)
        return REGULA_OK;
    if (!host) {
        put_err(err, errlen,
                "policy needs host function '%s'; register it with regula_host_add and pass the registry as "
                "regula_options.host",
                p->str[p->externs[0].name]);
        return REGULA_ERR_PACK;
    }
    rg_alloc a = {pack_mem, &pk->alloc};
    pk->externs = rg_externs_new(p, &a);
    if (!pk->externs) {
        put_err(err, errlen, "out of memory binding host functions");
        return REGULA_ERR_MEMORY;
    }
    int from_library = 0;
    for (uint32_t i = 0; i < p->n_externs; i++) {
        const rg_extern *x = &p->externs[i];
        const char *name = p->str[x->name];
        const host_entry *e = NULL;
        for (unsigned k = 0; k < host->n && !e; k++)
            if (strcmp(host->fns[k].name, name) == 0)
                e = &host->fns[k];
        if (!e) {
            if (host->library) {
                from_library = 1;
                continue;
            }
            put_err(err, errlen, "policy needs host function '%s', which the host did not register", name);
            return REGULA_ERR_PACK;
        }
        if (!same_signature(x, e)) {
            char want[160], have[160];
            rg_extern_signature(p, i, want, sizeof want);
            registered_signature(have, sizeof have, e);
            put_err(err, errlen, "host function '%s': the policy declares %s, the host registered %s", name, want, have);
            return REGULA_ERR_PACK;
        }
        char why[256];
        if (rg_externs_bind(pk->externs, i, e->fn, (e->flags & REGULA_FN_WITH_CTX) != 0, why, sizeof why)) {
            put_err(err, errlen, "%s", why);
            return REGULA_ERR_PACK;
        }
    }
    if (from_library) {
        char why[1024];
        if (rg_externs_from_library(pk->externs, host->library, why, sizeof why) != 0) {
            put_err(err, errlen, "%s", why);
            return REGULA_ERR_PACK;
        }
    }
    return REGULA_OK;
}

regula_status regula_pack_load(const void *image, size_t len, const regula_options *opt, regula_pack **out,
                               char *err, size_t errlen)
{
    put_err(err, errlen, "%s", "");
    if (!out) {
        put_err(err, errlen, "regula_pack_load needs somewhere to put the pack");
        return REGULA_ERR_USAGE;
    }
    *out = NULL;
    regula_options o = opt ? *opt : (regula_options){0};
    regula_allocator a;
    if (pick_allocator(o.allocator, &a)) {
        put_err(err, errlen, "an allocator needs malloc_fn, realloc_fn and free_fn");
        return REGULA_ERR_USAGE;
    }
    rg_program *prog = NULL;
    char why[512];
    if (rg_program_load_key(image, image ? len : 0, o.public_key, &prog, why, sizeof why) != 0) {
        put_err(err, errlen, "%s", why);
        return strstr(why, "out of memory") ? REGULA_ERR_MEMORY : REGULA_ERR_PACK;
    }
    regula_pack *pk = a.malloc_fn(sizeof *pk, a.ud);
    if (!pk) {
        rg_program_free(prog);
        put_err(err, errlen, "out of memory");
        return REGULA_ERR_MEMORY;
    }
    memset(pk, 0, sizeof *pk);
    pk->alloc = a;
    pk->prog = prog;
    pk->budget = o.budget == 0 ? DEFAULT_BUDGET : o.budget == REGULA_UNLIMITED ? 0 : o.budget;
    pk->memory_limit = o.memory_limit;
    regula_status st = bind_externs(pk, o.host, err, errlen);
    if (st != REGULA_OK) {
        regula_pack_free(pk);
        return st;
    }
    rg_api_pack_native(pk, image, len, o.native);
    *out = pk;
    return REGULA_OK;
}

regula_status regula_pack_load_file(const char *path, const regula_options *opt, regula_pack **out, char *err,
                                    size_t errlen)
{
    if (out)
        *out = NULL;
    regula_allocator a;
    if (!path || !out || pick_allocator(opt ? opt->allocator : NULL, &a)) {
        put_err(err, errlen, "regula_pack_load_file needs a path, somewhere to put the pack and a whole allocator");
        return REGULA_ERR_USAGE;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        put_err(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return REGULA_ERR_IO;
    }
    /* a regular file's buffer allocated once, at its size (+ 1: its end seen without growing) */
    struct stat st_file;
    size_t cap = 1 << 16, len = 0, got;
    if (fstat(fileno(f), &st_file) == 0 && S_ISREG(st_file.st_mode) && st_file.st_size > 0 &&
        (uintmax_t)st_file.st_size <= REGULA_MAX_PACK_BYTES)
        cap = (size_t)st_file.st_size + 1;
    char *buf = a.malloc_fn(cap, a.ud);
    int read_errno = 0;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len > REGULA_MAX_PACK_BYTES) {
            a.free_fn(buf, a.ud);
            fclose(f);
            put_err(err, errlen, "'%s' is larger than %zu MiB, the most a pack may be: is it a pack?", path,
                    REGULA_MAX_PACK_BYTES >> 20);
            return REGULA_ERR_PACK;
        }
        if (len == cap) {
            char *nb = cap <= SIZE_MAX / 2 ? a.realloc_fn(buf, cap * 2, a.ud) : NULL;
            if (!nb) {
                a.free_fn(buf, a.ud);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int io = ferror(f);
    read_errno = errno;
    fclose(f);
    if (!buf || io) {
        if (buf)
            a.free_fn(buf, a.ud);
        if (io)
            put_err(err, errlen, "cannot read '%s': %s", path, strerror(read_errno));
        else
            put_err(err, errlen, "out of memory reading '%s'", path);
        return io ? REGULA_ERR_IO : REGULA_ERR_MEMORY;
    }
    char why[512];
    regula_status st = regula_pack_load(buf, len, opt, out, why, sizeof why);
    a.free_fn(buf, a.ud);
    if (st != REGULA_OK)
        put_err(err, errlen, "%s: %s", path, why);
    return st;
}

void regula_pack_free(regula_pack *pk)
{
    if (!pk)
        return;
    rg_externs_free(pk->externs);
    if (pk->prog)
        rg_native_detach(pk->prog);
    rg_program_free(pk->prog);
    pk->alloc.free_fn(pk, pk->alloc.ud);
}

/* ---- what a pack holds ------------------------------------------------------------------ */

unsigned regula_output_count(const regula_pack *pk)
{
    return pk ? pk->prog->n_outputs : 0;
}

const char *regula_output_name(const regula_pack *pk, unsigned i)
{
    return pk && i < pk->prog->n_outputs ? pk->prog->str[pk->prog->outputs[i].name] : NULL;
}

static regula_type public_type(uint32_t t)
{
    rg_type_kind k = RG_TYPE_KIND(t);
    return k >= RG_T_BOOL && k <= RG_T_ENUM ? (regula_type)k : REGULA_T_VOID;
}

regula_type regula_output_type(const regula_pack *pk, unsigned i)
{
    return pk && i < pk->prog->n_outputs ? public_type(pk->prog->outputs[i].type) : REGULA_T_VOID;
}

int regula_output_index(const regula_pack *pk, const char *name)
{
    for (unsigned i = 0; pk && name && i < pk->prog->n_outputs; i++)
        if (strcmp(pk->prog->str[pk->prog->outputs[i].name], name) == 0)
            return (int)i;
    return -1;
}

static const rg_ledger_scope *scope_of(const regula_pack *pk, unsigned s)
{
    return pk && s < pk->prog->n_ledger_scopes ? &pk->prog->ledger_scopes[s] : NULL;
}

unsigned regula_ledger_scope_count(const regula_pack *pk)
{
    return pk ? pk->prog->n_ledger_scopes : 0;
}

const char *regula_ledger_scope_name(const regula_pack *pk, unsigned s)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc ? pk->prog->str[sc->name] : NULL;
}

int regula_ledger_scope_index(const regula_pack *pk, const char *name)
{
    for (unsigned i = 0; pk && name && i < pk->prog->n_ledger_scopes; i++)
        if (strcmp(pk->prog->str[pk->prog->ledger_scopes[i].name], name) == 0)
            return (int)i;
    return -1;
}

unsigned regula_ledger_key_count(const regula_pack *pk, unsigned s)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc ? sc->n_keys : 0;
}

regula_type regula_ledger_key_type(const regula_pack *pk, unsigned s, unsigned k)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc && k < sc->n_keys ? public_type(pk->prog->ledger_key_types[sc->first_key + k]) : REGULA_T_VOID;
}

unsigned regula_ledger_field_count(const regula_pack *pk, unsigned s)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc ? sc->n_fields : 0;
}

const char *regula_ledger_field_name(const regula_pack *pk, unsigned s, unsigned f)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc && f < sc->n_fields ? pk->prog->str[pk->prog->ledger_fields[sc->first_field + f].name] : NULL;
}

regula_type regula_ledger_field_type(const regula_pack *pk, unsigned s, unsigned f)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    return sc && f < sc->n_fields ? public_type(pk->prog->ledger_fields[sc->first_field + f].type) : REGULA_T_VOID;
}

int regula_ledger_field_index(const regula_pack *pk, unsigned s, const char *name)
{
    const rg_ledger_scope *sc = scope_of(pk, s);
    for (unsigned f = 0; sc && name && f < sc->n_fields; f++)
        if (strcmp(pk->prog->str[pk->prog->ledger_fields[sc->first_field + f].name], name) == 0)
            return (int)f;
    return -1;
}

const char *regula_region_name(const regula_pack *pk, int64_t i)
{
    return pk && i >= 0 && i < (int64_t)pk->prog->n_policies ? pk->prog->str[pk->prog->policies[i].name] : NULL;
}

int64_t regula_region_index(const regula_pack *pk, const char *code)
{
    uint32_t i = pk && code ? rg_policy_by_name(pk->prog, code, strlen(code)) : RG_NO_INDEX;
    return i == RG_NO_INDEX ? -1 : (int64_t)i;
}

/* ---- contexts --------------------------------------------------------------------------- */

regula_status rg_api_fail(regula_ctx *c, regula_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    return st;
}

regula_status rg_api_claim_fail(regula_ctx *c, regula_status st, const char *msg)
{
    if (!msg || !*msg)
        msg = "settlement failed";
    if (c->line > 0)
        snprintf(c->errmsg, sizeof c->errmsg, "line %ld: %s", c->line, msg);
    else
        snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
    c->state = CLAIM_FAILED;
    c->claim_status = st;
    return st;
}

regula_status regula_ctx_new(const regula_pack *pk, regula_ctx **out)
{
    if (!out)
        return REGULA_ERR_USAGE;
    *out = NULL;
    if (!pk)
        return REGULA_ERR_USAGE;
    regula_ctx *c = pk->alloc.malloc_fn(sizeof *c, pk->alloc.ud);
    if (!c)
        return REGULA_ERR_MEMORY;
    memset(c, 0, sizeof *c);
    c->pack = pk;
    c->alloc = pk->alloc;
    c->limit = pk->memory_limit;
    const rg_program *p = pk->prog;
    rg_alloc a = {rg_api_ctx_mem, c};
    c->vm = rg_vm_new_alloc(p, &a);
    c->outs = cmem(c, (p->n_outputs + 1) * sizeof *c->outs);
    c->keys = cmem(c, (p->n_ledger_keys + 1) * sizeof *c->keys);
    c->given = cmem(c, p->n_ledger_fields + 1);
    c->form = rg_result_form_new(p, &a);
    if (!c->vm || !c->outs || !c->keys || !c->given || !c->form) {
        regula_ctx_free(c);
        return REGULA_ERR_MEMORY; /* also when the memory limit is below what a context needs */
    }
    c->vm->externs = pk->externs;
    c->vm->host = c;
    c->vm->budget = pk->budget;
    *out = c;
    return REGULA_OK;
}

void regula_ctx_free(regula_ctx *c)
{
    if (!c)
        return;
    rg_claim_reader_free(c->reader);
    rg_result_form_free(c->form);
    cfree(c, c->json);
    cfree(c, c->outs);
    cfree(c, c->keys);
    cfree(c, c->given);
    rg_ledger_keys_free(c->ledger_keys);
    rg_vm_free(c->vm);
    c->alloc.free_fn(c, c->alloc.ud);
}

const char *regula_errmsg(const regula_ctx *c)
{
    return c ? c->errmsg : "no context";
}

regula_status regula_ctx_set_limits(regula_ctx *c, uint64_t budget, size_t memory_limit)
{
    if (!c)
        return REGULA_ERR_USAGE;
    c->vm->budget = budget == 0 ? c->pack->budget : budget == REGULA_UNLIMITED ? 0 : budget;
    c->limit = memory_limit;
    return REGULA_OK;
}

size_t regula_ctx_memory(const regula_ctx *c)
{
    return c ? c->in_use : 0;
}

void regula_ctx_set_explain(regula_ctx *c, int on)
{
    if (c)
        c->explain = on != 0;
}

void regula_ctx_set_userdata(regula_ctx *c, void *ud)
{
    if (c)
        c->userdata = ud;
}

void *regula_ctx_userdata(const regula_ctx *c)
{
    return c ? c->userdata : NULL;
}

void regula_host_fail(regula_ctx *c, const char *message)
{
    /* rg_extern_call cleared vm->error before the call and reads it after */
    if (c)
        snprintf(c->vm->error, sizeof c->vm->error, "%s", message && *message ? message : "it reported a failure");
}

/* ---- claims ----------------------------------------------------------------------------- */

/* Has the bound claim a record in scope s (every key part present)? */
static int scope_applies(const regula_ctx *c, unsigned s)
{
    const rg_ledger_scope *sc = &c->pack->prog->ledger_scopes[s];
    for (uint32_t k = sc->n_keys; k-- > 0;) /* last first: an optional part is a later one */
        if (c->keys[sc->first_key + k] == RG_NONE)
            return 0;
    return 1;
}

regula_status rg_api_begin_claim(regula_ctx *c)
{
    rg_vm *vm = c->vm;
    const rg_program *p = c->pack->prog;
    memset(c->given, 0, p->n_ledger_fields);
    c->all_given = 0;
    c->serial++;
    c->explained = 0;
    c->keys_ready = 0;
    c->ledger_keys_ready = 0;
    vm->explain = c->explain; /* as `regula run`: the checking's steps are dropped, the amounts' kept */
    rg_status s = rg_vm_begin(vm);
    c->have_policy = vm->policy_chosen;
    if (s != RG_OK)
        return rg_api_claim_fail(c, (regula_status)s, vm->error);
    c->state = CLAIM_BOUND;
    return REGULA_OK;
}

/* The bound claim's ledger keys, each scope's, made when the ledger is first
 * asked about (they are the settlement's, not the reading's: regula bench
 * times them with it). A scope one of whose key parts is absent has no
 * record: its fields read their first values. absent: NULL, or which scopes
 * do not apply when the keys were made already (c->keys, by
 * regula_ledger_prefetch for the in-memory ledger). */
static regula_status claim_keys(regula_ctx *c, const uint8_t *absent)
{
    rg_vm *vm = c->vm;
    const rg_program *p = c->pack->prog;
    rg_status s = absent ? RG_OK : rg_vm_claim_keys(vm, c->keys);
    for (uint32_t i = 0; s == RG_OK && i < p->n_ledger_scopes; i++) {
        const rg_ledger_scope *sc = &p->ledger_scopes[i];
        if (absent ? absent[i] : !scope_applies(c, i))
            for (uint32_t f = sc->first_field; s == RG_OK && f < sc->first_field + sc->n_fields; f++) {
                s = rg_vm_ledger_init(vm, f, &vm->ledger_in[f]);
                c->given[f] = 1;
            }
    }
    if (s != RG_OK)
        return rg_api_claim_fail(c, (regula_status)s, vm->error);
    c->keys_ready = 1;
    return REGULA_OK;
}

/* Forget the last claim's outcome before a new one. */
static void new_claim(regula_ctx *c, long line)
{
    c->state = CLAIM_NONE;
    c->claim_status = REGULA_OK;
    c->line = line > 0 ? line : 0;
    c->claim_id = NULL;
    c->have_policy = 0;
    c->errmsg[0] = '\0';
}

regula_status regula_claim_json(regula_ctx *c, const char *text, size_t len, long line)
{
    if (!c)
        return REGULA_ERR_USAGE;
    new_claim(c, line);
    if (!text)
        len = 0;
    if (!c->reader) {
        rg_alloc a = {rg_api_ctx_mem, c};
        if (!(c->reader = rg_claim_reader_new(c->pack->prog, &a)))
            return rg_api_claim_fail(c, REGULA_ERR_MEMORY, "out of memory");
    }
    /* the message comes whole, "line N: " first where docs/claims.md puts it */
    rg_status s = rg_claim_read(c->reader, c->vm, text, len, c->line, c->errmsg, sizeof c->errmsg, &c->claim_id);
    if (s != RG_OK) {
        c->state = CLAIM_FAILED;
        c->claim_status = (regula_status)s;
        return (regula_status)s;
    }
    return rg_api_begin_claim(c);
}

regula_status rg_api_make_bound(regula_ctx *c, const char *what)
{
    if (c->state == CLAIM_BUILDING) {
        regula_status st = regula_claim_end(c);
        if (st != REGULA_OK)
            return st;
    }
    switch (c->state) {
    case CLAIM_BOUND: return c->keys_ready ? REGULA_OK : claim_keys(c, NULL);
    case CLAIM_FAILED: return c->claim_status; /* the claim's failure, message unchanged */
    case CLAIM_SETTLED:
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: the claim is already settled; bind the next one first", what);
    default:
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: no claim; give one with regula_claim_json or regula_claim_new",
                           what);
    }
}

static regula_status need_settled(regula_ctx *c, const char *what)
{
    if (c->state == CLAIM_SETTLED)
        return REGULA_OK;
    if (c->state == CLAIM_FAILED)
        return c->claim_status;
    return rg_api_fail(c, REGULA_ERR_USAGE, "%s: settle the claim first (regula_settle)", what);
}

/* ---- the ledger the host keeps --------------------------------------------------------- */

static regula_status check_scope(regula_ctx *c, unsigned s, const char *what, const rg_ledger_scope **out)
{
    *out = scope_of(c->pack, s);
    if (!*out)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: no ledger scope %u (the pack has %u)", what, s,
                           c->pack->prog->n_ledger_scopes);
    return REGULA_OK;
}

static regula_status check_field(regula_ctx *c, unsigned s, unsigned f, const char *what, uint32_t *field)
{
    const rg_ledger_scope *sc;
    regula_status st = check_scope(c, s, what, &sc);
    if (st != REGULA_OK)
        return st;
    if (f >= sc->n_fields)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: ledger scope '%s' has no field %u (it has %u)", what,
                           c->pack->prog->str[sc->name], f, sc->n_fields);
    *field = sc->first_field + f;
    return REGULA_OK;
}

/* v of type t as a regula_value (strings, enum and region names point into the context or the pack). */
static void to_value(const rg_program *p, uint32_t t, rg_value v, regula_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = public_type(t);
    if (v == RG_NONE)
        return;
    out->present = 1;
    switch (RG_TYPE_KIND(t)) {
    case RG_T_STRING:
        out->s = (const char *)(intptr_t)v;
        return;
    case RG_T_ENUM: {
        const rg_enum *e = &p->enums[RG_TYPE_AUX(t)];
        out->i = v;
        if (v >= 0 && v < (rg_value)e->n_members)
            out->s = p->str[p->member_names[e->first_member + (uint32_t)v]];
        return;
    }
    case RG_T_REGION:
        out->i = v;
        if (v >= 0 && v < (rg_value)p->n_policies)
            out->s = p->str[p->policies[v].name];
        return;
    default:
        out->i = v;
    }
}

regula_status regula_claim_region(regula_ctx *c, regula_value *out)
{
    if (!c || !out)
        return REGULA_ERR_USAGE;
    if (c->state == CLAIM_BUILDING) {
        regula_status st = regula_claim_end(c);
        if (st != REGULA_OK && !c->have_policy)
            return st;
    }
    if (!c->have_policy) {
        if (c->state == CLAIM_FAILED)
            return c->claim_status;
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_claim_region: no claim; give one with regula_claim_json or "
                                                "regula_claim_new");
    }
    to_value(c->pack->prog, RG_TYPE(RG_T_REGION, 0), (rg_value)c->vm->policy, out);
    return REGULA_OK;
}

regula_status regula_ledger_key(regula_ctx *c, unsigned s, unsigned k, regula_value *out)
{
    if (!c || !out)
        return REGULA_ERR_USAGE;
    if (c->state != CLAIM_SETTLED) {
        regula_status st = rg_api_need_bound(c, "regula_ledger_key");
        if (st != REGULA_OK)
            return st;
    }
    const rg_ledger_scope *sc;
    regula_status st = check_scope(c, s, "regula_ledger_key", &sc);
    if (st != REGULA_OK)
        return st;
    if (k >= sc->n_keys)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_ledger_key: scope '%s' has %u key parts, not %u",
                           c->pack->prog->str[sc->name], sc->n_keys, k + 1);
    const rg_program *p = c->pack->prog;
    to_value(p, p->ledger_key_types[sc->first_key + k], c->keys[sc->first_key + k], out);
    return REGULA_OK;
}

int regula_ledger_applies(regula_ctx *c, unsigned s)
{
    if (!c || (c->state != CLAIM_SETTLED && rg_api_need_bound(c, "regula_ledger_applies") != REGULA_OK))
        return -1;
    const rg_ledger_scope *sc;
    if (check_scope(c, s, "regula_ledger_applies", &sc) != REGULA_OK)
        return -1;
    return scope_applies(c, s);
}

regula_status regula_ledger_set(regula_ctx *c, unsigned s, unsigned f, int64_t value)
{
    if (!c)
        return REGULA_ERR_USAGE;
    regula_status st = rg_api_need_bound(c, "regula_ledger_set");
    uint32_t field;
    if (st == REGULA_OK)
        st = check_field(c, s, f, "regula_ledger_set", &field);
    if (st != REGULA_OK)
        return st;
    if (value == RG_NONE)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_ledger_set: INT64_MIN is not a ledger value");
    c->vm->ledger_in[field] = value;
    c->given[field] = 1;
    return REGULA_OK;
}

regula_status regula_ledger_none(regula_ctx *c, unsigned s)
{
    if (!c)
        return REGULA_ERR_USAGE;
    regula_status st = rg_api_need_bound(c, "regula_ledger_none");
    if (st != REGULA_OK)
        return st;
    const rg_program *p = c->pack->prog;
    unsigned first = s, last = s;
    if (s == REGULA_ALL_SCOPES) {
        first = 0;
        last = p->n_ledger_scopes ? p->n_ledger_scopes - 1 : 0;
        if (p->n_ledger_scopes == 0)
            return REGULA_OK;
    }
    for (unsigned i = first; i <= last; i++) {
        const rg_ledger_scope *sc;
        if ((st = check_scope(c, i, "regula_ledger_none", &sc)) != REGULA_OK)
            return st;
        for (uint32_t f = sc->first_field; f < sc->first_field + sc->n_fields; f++) {
            rg_status rs = rg_vm_ledger_init(c->vm, f, &c->vm->ledger_in[f]);
            if (rs != RG_OK)
                return rg_api_claim_fail(c, (regula_status)rs, c->vm->error);
            c->given[f] = 1;
        }
    }
    return REGULA_OK;
}

regula_status regula_ledger_get(regula_ctx *c, unsigned s, unsigned f, int64_t *value)
{
    if (!c || !value)
        return REGULA_ERR_USAGE;
    regula_status st = need_settled(c, "regula_ledger_get");
    uint32_t field;
    if (st == REGULA_OK)
        st = check_field(c, s, f, "regula_ledger_get", &field);
    if (st != REGULA_OK)
        return st;
    *value = c->vm->ledger_out[field];
    return REGULA_OK;
}

/* ---- the in-memory ledger ----------------------------------------------------------- */

struct regula_ledger {
    const regula_pack *pack;
    rg_ledger_store *store;
    const regula_ctx *loaded_by; /* and the claim (serial) it loaded for */
    uint64_t serial;
};

regula_status regula_ledger_new(const regula_pack *pk, regula_ledger **out)
{
    if (!out)
        return REGULA_ERR_USAGE;
    *out = NULL;
    if (!pk)
        return REGULA_ERR_USAGE;
    regula_ledger *l = calloc(1, sizeof *l);
    if (!l || !(l->store = rg_ledger_store_new(pk->prog))) {
        free(l);
        return REGULA_ERR_MEMORY;
    }
    l->pack = pk;
    *out = l;
    return REGULA_OK;
}

void regula_ledger_free(regula_ledger *l)
{
    if (!l)
        return;
    rg_ledger_store_free(l->store);
    free(l);
}

void regula_ledger_clear(regula_ledger *l)
{
    if (!l)
        return;
    rg_ledger_store_clear(l->store);
    l->loaded_by = NULL;
}

/* The checks of a call on ledger l: REGULA_OK or the wrong call's status. */
static regula_status ledger_call(regula_ctx *c, const regula_ledger *l, const char *what)
{
    if (!c)
        return REGULA_ERR_USAGE;
    if (!l || l->pack != c->pack)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: the ledger belongs to another pack", what);
    return REGULA_OK;
}

/* The checks of a call that reads the bound claim's keys for ledger l:
 * REGULA_OK, the wrong call's status, or the claim's failure. */
static regula_status keys_call(regula_ctx *c, const regula_ledger *l, const char *what)
{
    regula_status st = ledger_call(c, l, what);
    return st != REGULA_OK ? st : rg_api_need_bound(c, what);
}

/* The bound claim's keys (c->keys) made for ledger l's store: encoded,
 * hashed, the home records asked for. REGULA_OK, or the claim's failure. */
static regula_status ledger_keys(regula_ctx *c, const regula_ledger *l)
{
    if (!c->ledger_keys && !(c->ledger_keys = rg_ledger_keys_new(l->store)))
        return rg_api_claim_fail(c, REGULA_ERR_MEMORY, "out of memory");
    if (rg_ledger_store_keys(l->store, c->keys, c->ledger_keys) != RG_OK)
        return rg_api_claim_fail(c, REGULA_ERR_MEMORY, "out of memory");
    c->ledger_keys_ready = 1;
    return REGULA_OK;
}

regula_status regula_ledger_load(regula_ctx *c, regula_ledger *l)
{
    regula_status st = keys_call(c, l, "regula_ledger_load");
    if (st != REGULA_OK)
        return st;
    /* the keys made for the ledger now when no prefetch made them; the
     * scopes that do not apply have their first values (claim_keys) */
    if (!c->ledger_keys_ready && (st = ledger_keys(c, l)) != REGULA_OK)
        return st;
    rg_status s = rg_ledger_store_load_keys(l->store, c->vm, c->ledger_keys);
    if (s != RG_OK)
        return rg_api_claim_fail(c, (regula_status)s, s == RG_ERR_MEMORY ? "out of memory" : c->vm->error);
    c->all_given = 1; /* given[] is read only without it */
    l->loaded_by = c;
    l->serial = c->serial;
    return REGULA_OK;
}

regula_status regula_ledger_prefetch(regula_ctx *c, const regula_ledger *l)
{
    regula_status st = ledger_call(c, l, "regula_ledger_prefetch");
    if (st != REGULA_OK)
        return st;
    /* a claim bound, its keys not made: they are made here, once, for the
     * claim and for the ledger, which says which scopes do not apply */
    int first = c->state == CLAIM_BOUND && !c->keys_ready;
    if (!first && (st = rg_api_need_bound(c, "regula_ledger_prefetch")) != REGULA_OK)
        return st;
    if (c->ledger_keys_ready) { /* again: the records its slots name, the slots having come meanwhile */
        rg_ledger_store_prefetch_records(l->store, c->ledger_keys);
        return REGULA_OK;
    }
    if (first) {
        rg_status s = rg_vm_claim_keys(c->vm, c->keys);
        if (s != RG_OK)
            return rg_api_claim_fail(c, (regula_status)s, c->vm->error);
    }
    if ((st = ledger_keys(c, l)) != REGULA_OK)
        return st;
    return first ? claim_keys(c, rg_ledger_keys_absent(c->ledger_keys)) : REGULA_OK;
}

regula_status regula_ledger_commit(regula_ctx *c, regula_ledger *l)
{
    if (!c)
        return REGULA_ERR_USAGE;
    regula_status st = need_settled(c, "regula_ledger_commit");
    if (st != REGULA_OK)
        return st;
    if (!l || l->loaded_by != c || l->serial != c->serial)
        return rg_api_fail(c, REGULA_ERR_USAGE,
                           "regula_ledger_commit: this claim's ledger was not loaded from this ledger (regula_ledger_load)");
    if (rg_ledger_store_commit(l->store, c->vm) != RG_OK)
        return rg_api_fail(c, REGULA_ERR_MEMORY, "out of memory storing the ledger");
    l->loaded_by = NULL;
    return REGULA_OK;
}

/* ---- settling ------------------------------------------------------------------------- */

regula_status regula_settle(regula_ctx *c)
{
    if (!c)
        return REGULA_ERR_USAGE;
    regula_status st = rg_api_need_bound(c, "regula_settle");
    if (st != REGULA_OK)
        return st;
    const rg_program *p = c->pack->prog;
    rg_vm *vm = c->vm;
    for (uint32_t f = 0; !c->all_given && f < p->n_ledger_fields; f++)
        if (!c->given[f]) {
            const rg_ledger_field *lf = &p->ledger_fields[f];
            return rg_api_fail(c, REGULA_ERR_USAGE,
                               "regula_settle: ledger field %s.%s was not given: set every field of the scope's record "
                               "(regula_ledger_set), or say there is none (regula_ledger_none)",
                               p->str[p->ledger_scopes[lf->scope].name], p->str[lf->name]);
        }
    /* the outputs in order, then the updates: a failing update fails the claim, its result never written */
    vm->explain = c->explain;
    rg_status s = rg_vm_eval_outputs(vm, c->outs);
    if (s != RG_OK)
        return rg_api_claim_fail(c, (regula_status)s, vm->error);
    c->trace_mark = vm->n_trace;
    s = rg_vm_run_updates(vm);
    if (s != RG_OK)
        return rg_api_claim_fail(c, (regula_status)s, vm->error);
    c->explained = c->explain;
    c->state = CLAIM_SETTLED;
    c->errmsg[0] = '\0';
    return REGULA_OK;
}

/* ---- results -------------------------------------------------------------------------- */

static regula_status check_output(regula_ctx *c, unsigned i, const char *what)
{
    regula_status st = need_settled(c, what);
    if (st != REGULA_OK)
        return st;
    if (i >= c->pack->prog->n_outputs)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: no output %u (the pack has %u)", what, i,
                           c->pack->prog->n_outputs);
    return REGULA_OK;
}

regula_status regula_result(regula_ctx *c, unsigned i, regula_value *out)
{
    if (!c || !out)
        return REGULA_ERR_USAGE;
    regula_status st = check_output(c, i, "regula_result");
    if (st != REGULA_OK)
        return st;
    const rg_program *p = c->pack->prog;
    to_value(p, p->outputs[i].type, c->outs[i], out);
    return REGULA_OK;
}

int regula_result_text(regula_ctx *c, unsigned i, char *buf, size_t cap)
{
    if (!c || check_output(c, i, "regula_result_text") != REGULA_OK)
        return -1;
    const rg_program *p = c->pack->prog;
    return rg_value_text(p, p->outputs[i].type, c->outs[i], buf, cap);
}

/* The JSON texts are built in the context's buffer (its allocator, its
 * memory limit), the same bytes as `regula run` writes. */
static void json_begin(regula_ctx *c, rg_sb *b)
{
    rg_sb_mem(b, c->json, c->cap_json, rg_api_ctx_mem, c);
}

static const char *json_end(regula_ctx *c, rg_sb *b)
{
    c->json = b->heap ? b->s : NULL;
    c->cap_json = b->heap ? b->cap : 0;
    c->n_json = b->n;
    if (b->oom || !c->json) {
        rg_api_fail(c, REGULA_ERR_MEMORY, "out of memory writing JSON");
        return NULL;
    }
    return c->json;
}

/* The line of the claim: its result (with its explanation as `regula run
 * --explain` gives it: up to the outputs) or its error. */
static const char *line_json(regula_ctx *c)
{
    rg_sb b;
    json_begin(c, &b);
    if (c->state == CLAIM_FAILED) {
        rg_error_json(&b, c->line, c->claim_id, c->errmsg);
    } else if (c->explained) {
        uint32_t all = c->vm->n_trace;
        c->vm->n_trace = c->trace_mark;
        rg_result_explained_json(&b, c->vm, c->outs);
        c->vm->n_trace = all;
    } else {
        rg_result_json(&b, c->pack->prog, c->outs, c->form);
    }
    return json_end(c, &b);
}

const char *regula_result_json(regula_ctx *c)
{
    if (!c)
        return NULL;
    if (c->state != CLAIM_SETTLED && c->state != CLAIM_FAILED) {
        rg_api_fail(c, REGULA_ERR_USAGE, "regula_result_json: no settled or failed claim");
        return NULL;
    }
    return line_json(c);
}

const char *regula_explain_json(regula_ctx *c)
{
    if (!c)
        return NULL;
    if (need_settled(c, "regula_explain_json") != REGULA_OK)
        return NULL;
    if (!c->explained) {
        rg_api_fail(c, REGULA_ERR_USAGE, "regula_explain_json: call regula_ctx_set_explain(ctx, 1) before settling");
        return NULL;
    }
    rg_sb b;
    json_begin(c, &b);
    uint32_t all = c->vm->n_trace;
    c->vm->n_trace = c->trace_mark;
    rg_explanation_json(&b, c->vm);
    c->vm->n_trace = all;
    return json_end(c, &b);
}

/* ---- definitions ------------------------------------------------------------------------ */

int regula_definition_index(const regula_pack *pk, const char *name)
{
    if (!pk || !name)
        return -1;
    const rg_program *p = pk->prog;
    for (uint32_t i = 0; i < p->n_defs; i++)
        if (strcmp(p->str[p->defs[i].name], name) == 0)
            return i > INT32_MAX ? -1 : (int)i;
    return -1;
}

regula_type regula_definition_type(const regula_pack *pk, unsigned d)
{
    return pk && d < pk->prog->n_defs ? public_type(pk->prog->defs[d].type) : REGULA_T_VOID;
}

regula_status regula_definition_value(regula_ctx *c, unsigned d, regula_value *out)
{
    if (!c || !out)
        return REGULA_ERR_USAGE;
    const rg_program *p = c->pack->prog;
    if (d >= p->n_defs)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_definition_value: no definition %u (the pack has %u)", d,
                           p->n_defs);
    if (p->defs[d].per_item)
        return rg_api_fail(c, REGULA_ERR_USAGE,
                           "regula_definition_value: '%s' is computed per list element, it has no single value",
                           p->str[p->defs[d].name]);
    if (c->state != CLAIM_SETTLED) {
        regula_status st = rg_api_need_bound(c, "regula_definition_value");
        if (st != REGULA_OK)
            return st;
    }
    rg_value v;
    rg_status s = rg_vm_eval_def(c->vm, d, &v);
    if (s != RG_OK)
        return rg_api_fail(c, (regula_status)s, "%s", c->vm->error[0] ? c->vm->error : "evaluation failed");
    to_value(p, p->defs[d].type, v, out);
    return REGULA_OK;
}

int regula_value_text(const regula_value *v, char *buf, size_t cap)
{
    if (!v)
        return -1;
    if (v->present && (v->type == REGULA_T_STRING || v->type == REGULA_T_ENUM || v->type == REGULA_T_REGION)) {
        const char *t = v->s ? v->s : "none";
        size_t n = strlen(t);
        if (buf && cap) {
            size_t k = n < cap ? n : cap - 1;
            memcpy(buf, t, k);
            buf[k] = '\0';
            return (int)k;
        }
        return 0;
    }
    rg_program none = {0};
    return rg_value_text(&none, (uint32_t)v->type, v->present ? v->i : RG_NONE, buf, cap);
}

/* ---- a batch with the in-memory ledger -------------------------------------------------- */

/* The rest of regula_settle_line from status st of reading the claim. */
static regula_status settle_and_line(regula_ctx *c, regula_ledger *l, regula_status st, const char **out,
                                     size_t *out_len)
{
    if (st == REGULA_OK)
        st = regula_ledger_load(c, l);
    if (st == REGULA_OK)
        st = regula_settle(c);
    if (st == REGULA_OK && (st = regula_ledger_commit(c, l)) != REGULA_OK)
        st = rg_api_claim_fail(c, st, "out of memory storing the ledger: nothing of this claim was kept");
    /* one line for the claim, whatever step it failed at */
    const char *json = line_json(c);
    if (!json)
        return REGULA_ERR_MEMORY;
    *out = json;
    if (out_len)
        *out_len = c->n_json;
    return st;
}

/* The checks of a call that makes a batch line: *out and *out_len cleared,
 * then REGULA_OK or the wrong call's status. */
static regula_status line_call(regula_ctx *c, const regula_ledger *l, const char **out, size_t *out_len,
                               const char *what)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!c || !out)
        return REGULA_ERR_USAGE;
    if (!l || l->pack != c->pack)
        return rg_api_fail(c, REGULA_ERR_USAGE, "%s: the ledger belongs to another pack", what);
    return REGULA_OK;
}

regula_status regula_settle_line(regula_ctx *c, regula_ledger *l, const char *line, size_t len, long lineno,
                                 const char **out, size_t *out_len)
{
    regula_status st = line_call(c, l, out, out_len, "regula_settle_line");
    if (st != REGULA_OK)
        return st;
    return settle_and_line(c, l, regula_claim_json(c, line, len, lineno > 0 ? lineno : 0), out, out_len);
}

regula_status regula_settle_bound(regula_ctx *c, regula_ledger *l, const char **out, size_t *out_len)
{
    regula_status st = line_call(c, l, out, out_len, "regula_settle_bound");
    if (st != REGULA_OK)
        return st;
    if (c->state == CLAIM_FAILED)
        return settle_and_line(c, l, c->claim_status, out, out_len);
    if (c->state != CLAIM_BOUND && c->state != CLAIM_BUILDING)
        return rg_api_fail(c, REGULA_ERR_USAGE, "regula_settle_bound: no claim to settle; give one with "
                                                "regula_claim_json or regula_claim_new first");
    return settle_and_line(c, l, REGULA_OK, out, out_len);
}
