/* cmd_keygen.c — `regula keygen`: a key pair for signing packs, and reading
 * the key files the other commands are given (--sign, --public-key). Must not
 * sign or load a pack itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bcwrite.h"
#include "cli.h"
#include "file_io.h"
#include "keyfile.h"
#include "i18n.h"

int cli_read_key(const char *path, int secret, unsigned char *key, const char *cmd)
{
    size_t len;
    char *text = rg_read_file(path, &len);
    if (!text) {
        fprintf(stderr, secret ? _("regula %s: cannot read the secret key '%s': %s\n")
                               : _("regula %s: cannot read the public key '%s': %s\n"),
                cmd, path, strerror(errno));
        return -1;
    }
    char err[256];
    int r = rg_key_parse(text, len, secret, key, err, sizeof err);
    if (r != 0)
        fprintf(stderr, "regula %s: %s: %s\n", cmd, path, err);
    memset(text, 0, len); /* a secret key's text does not stay in freed memory */
    free(text);
    return r;
}

/* Write text to a new file path (never over an existing one) with mode. */
static int write_new(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        fprintf(stderr, _("regula keygen: cannot create '%s': %s%s\n"), path, strerror(errno),
                errno == EEXIST ? _(" (a key is never overwritten: choose another name, or remove the old key first)") : "");
        return -1;
    }
    size_t n = strlen(text);
    int bad = write(fd, text, n) != (ssize_t)n;
    if (close(fd) != 0 || bad) {
        fprintf(stderr, _("regula keygen: cannot write '%s': %s\n"), path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int cmd_keygen(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(_("usage: regula keygen NAME\n\n"
               "Make an Ed25519 key pair for signing packs: NAME.key, the secret key (mode 0600: keep it\n"
               "where packs are compiled, give it to `regula compile --sign`), and NAME.pub, the public key\n"
               "(give it to the hosts that load packs: `regula run --public-key`, regula_options.public_key,\n"
               "the PostgreSQL extension's regula.public_key). Never overwrites a file. See docs/embedding.md.\n"));
        return EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, _("usage: regula keygen NAME (writes NAME.key and NAME.pub)\n"));
        return EXIT_USAGE;
    }
    size_t n = strlen(argv[1]) + 5;
    char *sec = malloc(n), *pub = malloc(n);
    uint8_t pk[RG_KEY_BYTES], seed[RG_KEY_BYTES];
    char text[RG_KEY_TEXT_MAX];
    int rc = EXIT_USAGE;
    if (!sec || !pub) {
        fprintf(stderr, _("regula keygen: out of memory\n"));
    } else if (rgc_key_pair(pk, seed) != 0) {
        fprintf(stderr, _("regula keygen: libsodium did not start: no key made\n"));
    } else {
        snprintf(sec, n, "%s.key", argv[1]);
        snprintf(pub, n, "%s.pub", argv[1]);
        rg_key_format(seed, 1, text);
        if (write_new(sec, text, 0600) == 0) {
            rg_key_format(pk, 0, text);
            if (write_new(pub, text, 0644) == 0) {
                char id[17];
                rg_key_id(pk, id);
                printf(_("%s: secret key (keep it secret)\n%s: public key %s…\n"), sec, pub, id);
                rc = EXIT_OK;
            } else {
                unlink(sec);
            }
        }
    }
    memset(seed, 0, sizeof seed);
    memset(text, 0, sizeof text);
    free(sec);
    free(pub);
    return rc;
}
