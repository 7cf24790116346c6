/* pack_git.c — a pack as it was at a git revision: `git:REV:PATH` names the
 * policy folder (or .rg file) PATH, relative to the current directory, at
 * commit REV of the repository the current directory is in. It is extracted
 * into a temporary directory under the name git:REV:PATH itself, so that
 * compiled there its files are named as the user wrote them; removed when the
 * pack is closed. Runs git and tar without a shell; must not compile. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "file_io.h"
#include "i18n.h"

/* Run argv with standard output into OUT_PATH (NULL: /dev/null) and standard
 * error into ERR_PATH; its exit status, or -1 when it could not run. */
static int run(char *const argv[], const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int o = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int i = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || i < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || dup2(i, 0) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of what a command wrote on standard error. */
static void first_line(const char *path, char *buf, size_t cap)
{
    size_t len;
    char *text = rg_read_file(path, &len);
    buf[0] = '\0';
    if (!text)
        return;
    size_t n = strcspn(text, "\n");
    snprintf(buf, cap, "%.*s", (int)n, text);
    free(text);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void rgd_git_remove(const char *dir)
{
    if (dir && *dir)
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of DIR's components under BASE (which exists). */
static int make_dirs(const char *base, const char *rel)
{
    char path[2400];
    size_t n = (size_t)snprintf(path, sizeof path, "%s/", base);
    for (const char *s = rel; *s && n + 1 < sizeof path; s++) {
        if (*s == '/' && path[n - 1] != '/') {
            path[n] = '\0';
            if (mkdir(path, 0700) != 0 && errno != EEXIST)
                return -1;
        }
        if (*s != '/' || path[n - 1] != '/')
            path[n++] = *s;
    }
    path[n] = '\0';
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int rgd_git_extract(const char *spec, char *tmpdir, size_t tcap, char *err, size_t errlen)
{
    tmpdir[0] = '\0';
    const char *rest = spec + 4; /* after "git:" */
    const char *colon = strchr(rest, ':');
    char rev[256], path[1024];
    if (!colon || colon == rest || (size_t)(colon - rest) >= sizeof rev) {
        snprintf(err, errlen, _("'%s' names no revision: write git:REV:PATH, e.g. git:HEAD~1:policies"), spec);
        return -1;
    }
    snprintf(rev, sizeof rev, "%.*s", (int)(colon - rest), rest);
    snprintf(path, sizeof path, "./%s", colon[1] ? colon + 1 : ".");
    if (rev[0] == '-') {
        snprintf(err, errlen, _("'%s': a revision does not start with '-' (write git:REV:PATH)"), spec);
        return -1;
    }
    /* the copy is named SPEC under the temporary directory: no component may leave it */
    const char *inner = strchr(spec, '/');
    if (inner && (strstr(inner, "/../") || strcmp(inner + strlen(inner) - 3 > inner ? inner + strlen(inner) - 3 : inner, "/..") == 0)) {
        snprintf(err, errlen, _("'%s': write PATH without '..' after its first folder"), spec);
        return -1;
    }
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, tcap, "%s/regula-git-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        snprintf(err, errlen, _("%s: cannot make a temporary directory: %s"), spec, strerror(errno));
        tmpdir[0] = '\0';
        return -1;
    }
    char errf[1100], tar[1100], object[1400], why[300], type[32], typef[1100], copy[2400];
    snprintf(errf, sizeof errf, "%s/.stderr", tmpdir);
    snprintf(tar, sizeof tar, "%s/.tree.tar", tmpdir);
    snprintf(typef, sizeof typef, "%s/.type", tmpdir);
    snprintf(copy, sizeof copy, "%s/%s", tmpdir, spec);
    snprintf(object, sizeof object, "%s^{commit}", rev);
    char *verify[] = {"git", "rev-parse", "--verify", "--quiet", object, NULL};
    int rc = run(verify, NULL, errf);
    if (rc != 0) {
        first_line(errf, why, sizeof why);
        if (rc == 127 || rc < 0)
            snprintf(err, errlen, _("%s: cannot run git (is it installed?)"), spec);
        else
            snprintf(err, errlen, _("%s: '%s' is not a commit of the git repository here%s%s (run it inside the "
                     "repository; `git log` lists its commits)"), spec, rev, why[0] ? ": " : "", why);
        return -1;
    }
    /* the object's id first: git archive reads "REV:./PATH" wrongly in a subfolder */
    snprintf(object, sizeof object, "%s:%s", rev, path);
    char *name[] = {"git", "rev-parse", "--verify", "--quiet", object, NULL};
    char id[100];
    if (run(name, typef, errf) != 0 || (first_line(typef, id, sizeof id), !id[0])) {
        snprintf(err, errlen, _("%s: there is no '%s' at %s (a folder or .rg file, relative to this directory)"), spec,
                 colon[1] ? colon + 1 : ".", rev);
        return -1;
    }
    snprintf(object, sizeof object, "%s", id);
    char *cat[] = {"git", "cat-file", "-t", object, NULL};
    if (run(cat, typef, errf) != 0) {
        first_line(errf, why, sizeof why);
        snprintf(err, errlen, _("%s: cannot read it: %s"), spec, why[0] ? why : "git cat-file failed");
        return -1;
    }
    first_line(typef, type, sizeof type);
    remove(typef);
    int tree = strcmp(type, "tree") == 0;
    if (!tree) {
        /* a policy file: its folder comes too, for the catalogs beside it */
        char folder[1100];
        snprintf(folder, sizeof folder, "%s", path);
        char *cut = strrchr(folder, '/'); /* path starts "./" */
        cut[cut == folder + 1] = '\0';   /* "./X.rg": its folder is "./" */
        snprintf(object, sizeof object, "%s:%s", rev, folder);
        if (run(name, typef, errf) != 0 || (first_line(typef, id, sizeof id), !id[0])) {
            snprintf(err, errlen, _("%s: cannot read the folder of %s at %s"), spec, path + 2, rev);
            return -1;
        }
        snprintf(object, sizeof object, "%s", id);
    }
    /* the copy's folder: the whole name for a folder, the name's folder for a file */
    char dirs[1200];
    snprintf(dirs, sizeof dirs, "%s", spec);
    if (!tree) {
        char *slash = strrchr(dirs, '/');
        *(slash ? slash : dirs) = '\0'; /* git:REV:X.rg: the folder goes into the temporary directory */
    }
    snprintf(copy, sizeof copy, "%s%s%s", tmpdir, dirs[0] ? "/" : "", dirs);
    if (dirs[0] && make_dirs(tmpdir, dirs) != 0) {
        snprintf(err, errlen, _("%s: cannot make its copy in %s: %s"), spec, tmpdir, strerror(errno));
        return -1;
    }
    /* from the repository's top: in a subfolder, git archive keeps that folder's part only */
    char *top_of[] = {"git", "rev-parse", "--show-toplevel", NULL}, top[1100];
    if (run(top_of, typef, errf) != 0 || (first_line(typef, top, sizeof top), !top[0])) {
        snprintf(err, errlen, _("%s: cannot find the top of the git repository here"), spec);
        return -1;
    }
    remove(typef);
    char *archive[] = {"git", "-C", top, "archive", "--format=tar", object, NULL};
    char *untar[] = {"tar", "-xf", tar, "-C", copy, NULL};
    if (run(archive, tar, errf) != 0 || run(untar, NULL, errf) != 0) {
        first_line(errf, why, sizeof why);
        snprintf(err, errlen, _("%s: cannot extract it: %s"), spec, why[0] ? why : "git archive or tar failed");
        return -1;
    }
    remove(tar);
    if (!tree && !dirs[0]) { /* ... and the file takes the whole name */
        char from[2400], to[2400];
        snprintf(from, sizeof from, "%s/%s", tmpdir, path + 2);
        snprintf(to, sizeof to, "%s/%s", tmpdir, spec);
        if (rename(from, to) != 0) {
            snprintf(err, errlen, _("%s: cannot name its copy: %s"), spec, strerror(errno));
            return -1;
        }
    }
    remove(errf);
    return 0;
}
