/* examples/c/basic.c: every function of include/core_pattern.h, checked.
 *
 * Build against an installed library (scripts/install-capi.sh; tests/c/run.sh
 * does this, and also builds it from the tree under ASan/UBSan and Valgrind):
 *
 *   scripts/install-capi.sh --prefix "$HOME/.local"
 *   export PKG_CONFIG_PATH="$HOME/.local/lib/pkgconfig"
 *   cc -std=c99 -Wall -Wextra -Werror -pedantic basic.c \
 *      $(pkg-config --cflags --libs core_pattern) -o basic            # shared
 *   cc -std=c99 basic.c \
 *      $(pkg-config --static --cflags --libs core_pattern) -o basic   # static, when
 *                                            # only the .a is installed
 *   LD_LIBRARY_PATH="$HOME/.local/lib" ./basic
 *
 * Conventions shown here (see the header and src/ffi/):
 * - inputs are (pointer, length), never NUL-terminated, copied by the call;
 * - byte outputs use (buf, buf_len, *out_len): a buffer that is too small
 *   is left untouched and *out_len says how many bytes are needed;
 * - handles come out through `**out` and go back through their `_free`,
 *   which accepts NULL.
 *
 * Compile with -DCPAT_EXPECTED_VERSION='"x.y.z"' to also check the version
 * against the one the build system knows (run.sh passes Cargo.toml's).
 */

#include "core_pattern.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long checks_run = 0;

/* CHECK(cond): on failure print the line and exit 1. */
#define CHECK(cond)                                                        \
    do {                                                                   \
        checks_run++;                                                      \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: CHECK(%s)\n", __FILE__, __LINE__, \
                    #cond);                                                \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

/* CHECK_RC(call, want): a result code, printed by name on failure. */
#define CHECK_RC(call, want)                                                 \
    do {                                                                     \
        uint32_t got_ = (uint32_t)(call);                                    \
        uint32_t want_ = (uint32_t)(want);                                   \
        checks_run++;                                                        \
        if (got_ != want_) {                                                 \
            fprintf(stderr, "FAIL %s:%d: %s returned %u (%s), want %u (%s)\n", \
                    __FILE__, __LINE__, #call, (unsigned)got_,               \
                    cpat_result_name(got_), (unsigned)want_,                 \
                    cpat_result_name(want_));                                \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

/* CHECK_BYTES(ptr, len, "literal"): exact bytes (no NUL involved). */
#define CHECK_BYTES(ptr, len, lit) \
    check_bytes(__LINE__, (const uint8_t *)(ptr), (len), (lit), sizeof(lit) - 1)

/* A string literal as (pointer, length) arguments. */
#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

#define SENTINEL 0xA5

static void check_bytes(int line, const uint8_t *got, size_t got_len,
                        const char *want, size_t want_len) {
    checks_run++;
    if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        size_t i;
        fprintf(stderr, "FAIL %s:%d: got %zu bytes \"", __FILE__, line, got_len);
        for (i = 0; i < got_len; i++) {
            if (got[i] >= 0x20 && got[i] < 0x7f) {
                fputc(got[i], stderr);
            } else {
                fprintf(stderr, "\\x%02x", got[i]);
            }
        }
        fprintf(stderr, "\", want %zu bytes \"%.*s\"\n", want_len, (int)want_len, want);
        exit(1);
    }
}

/* Whether buf[0..n] all hold SENTINEL. */
static int untouched(const uint8_t *buf, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (buf[i] != SENTINEL) {
            return 0;
        }
    }
    return 1;
}

/* The example process of the Rust docs: PID 1234 (global 51234), UID/GID
 * 1000, SIGSEGV, time 1700000000, host node1, comm myapp, exe
 * /usr/bin/myapp, CPU 3, unlimited core size. */
static cpat_crash example_crash(void) {
    cpat_crash c;
    memset(&c, 0, sizeof c);
    c.pid = 1234;
    c.tid = 1240;
    c.global_pid = 51234;
    c.global_tid = 51240;
    c.uid = 1000;
    c.gid = 1000;
    c.dumpable = 1;
    c.signal = 11; /* SIGSEGV */
    c.time = 1700000000;
    c.hostname = (const uint8_t *)"node1";
    c.hostname_len = 5;
    c.comm = (const uint8_t *)"myapp";
    c.comm_len = 5;
    c.exe = (const uint8_t *)"/usr/bin/myapp";
    c.exe_len = 14;
    c.has_exe = true;
    c.cpu = 3;
    c.core_limit_unlimited = true;
    c.core_limit = 0;
    return c;
}

static const char ACS[] = "/data/dump-a/core-%E-%p-%t";
static const char ACS_NAME[] = "/data/dump-a/core-!usr!bin!myapp-1234-1700000000";
static const char SYSTEMD[] =
    "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F";

static cpat_pattern *parse_ok(const char *s, const cpat_kernel *k) {
    cpat_pattern *p = NULL;
    cpat_diag d;
    memset(&d, 0, sizeof d);
    CHECK_RC(cpat_pattern_parse((const uint8_t *)s, strlen(s), k, &p, &d), CPAT_RESULT_OK);
    CHECK(p != NULL);
    return p;
}

/* ------------------------------------------------------------------ */

/* The version macros are plain integers, usable by the preprocessor. */
#if !defined(CPAT_VERSION_MAJOR) || !defined(CPAT_VERSION_MINOR) || !defined(CPAT_VERSION_PATCH)
#error "core_pattern.h does not define CPAT_VERSION_MAJOR/MINOR/PATCH"
#endif

static void test_version(void) {
    unsigned major = 0, minor = 0, patch = 0;
    const char *v = cpat_version_string();
    CHECK(v != NULL);
    CHECK(sscanf(v, "%u.%u.%u", &major, &minor, &patch) == 3);
    CHECK(cpat_version() == ((major << 16) | (minor << 8) | patch));
    /* The header's version macros against the library linked at run time:
     * a header from another release than the library fails here. */
    CHECK(major == CPAT_VERSION_MAJOR);
    CHECK(minor == CPAT_VERSION_MINOR);
    CHECK(patch == CPAT_VERSION_PATCH);
    CHECK(cpat_version() == (((uint32_t)CPAT_VERSION_MAJOR << 16) |
                             ((uint32_t)CPAT_VERSION_MINOR << 8) |
                             (uint32_t)CPAT_VERSION_PATCH));
#ifdef CPAT_EXPECTED_VERSION
    CHECK(strcmp(v, CPAT_EXPECTED_VERSION) == 0);
#endif
    printf("core_pattern %s (0x%06x)\n", v, (unsigned)cpat_version());
}

struct named_code {
    uint32_t code;
    const char *name;
};

#define RC(x) { x, #x }

static void test_result_names(void) {
    static const struct named_code all[] = {
        RC(CPAT_RESULT_OK),
        RC(CPAT_RESULT_PARSE_TOO_LONG),
        RC(CPAT_RESULT_PARSE_NEWLINE),
        RC(CPAT_RESULT_PARSE_NUL),
        RC(CPAT_RESULT_BAD_KERNEL_RELEASE),
        RC(CPAT_RESULT_NO_DUMP_SIGNAL_NOT_CORE),
        RC(CPAT_RESULT_NO_DUMP_NOT_DUMPABLE),
        RC(CPAT_RESULT_NO_DUMP_EMPTY_PIPE),
        RC(CPAT_RESULT_NO_DUMP_EXE_PATH_TOO_LONG),
        RC(CPAT_RESULT_NO_DUMP_SOCKET_INVALID),
        RC(CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE),
        RC(CPAT_RESULT_NO_DUMP_SUID_NEEDS_ABSOLUTE),
        RC(CPAT_RESULT_NO_DUMP_EMPTY_NAME),
        RC(CPAT_RESULT_NO_DUMP_NAME_TOO_LONG),
        RC(CPAT_RESULT_NO_DUMP_PATH_TOO_LONG),
        RC(CPAT_RESULT_NO_DUMP_PIPE_RLIMIT_ONE),
        RC(CPAT_RESULT_NO_DUMP_HELPER_NOT_ABSOLUTE),
        RC(CPAT_RESULT_NOT_FILE_MODE),
        RC(CPAT_RESULT_MATCH_NO_FIELDS),
        RC(CPAT_RESULT_MATCH_WRONG_TARGET),
        RC(CPAT_RESULT_MANIFEST_SYNTAX),
        RC(CPAT_RESULT_MANIFEST_FIELD),
        RC(CPAT_RESULT_MANIFEST_TOO_LARGE),
        RC(CPAT_RESULT_NULL_PARAMETER),
        RC(CPAT_RESULT_BUFFER_TOO_SMALL),
        RC(CPAT_RESULT_INVALID_UTF8),
        RC(CPAT_RESULT_INVALID_ARGUMENT),
        RC(CPAT_RESULT_PANIC),
    };
    static const uint32_t unknown[] = {1, 99, 103, 212, 302, 403, 500, 904, 998, 1000, UINT32_MAX};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *name = cpat_result_name(all[i].code);
        const char *msg = cpat_result_message(all[i].code);
        CHECK(name != NULL && msg != NULL);
        if (strcmp(name, all[i].name) != 0) {
            fprintf(stderr, "FAIL: cpat_result_name(%u) = %s, want %s\n",
                    (unsigned)all[i].code, name, all[i].name);
            exit(1);
        }
        CHECK(msg[0] != '\0');
        CHECK(strcmp(msg, "unknown result code") != 0);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(strcmp(cpat_result_name(unknown[i]), "CPAT_RESULT_UNKNOWN") == 0);
        CHECK(strcmp(cpat_result_message(unknown[i]), "unknown result code") == 0);
    }
    /* Static strings: the same pointer every time. */
    CHECK(cpat_result_name(CPAT_RESULT_OK) == cpat_result_name(CPAT_RESULT_OK));
}

/* ------------------------------------------------------------------ */

static void test_kernel(void) {
    cpat_kernel *k = NULL;
    cpat_kernel *plain = NULL;
    cpat_pattern *p;
    cpat_token t;
    cpat_outcome *o = NULL;
    cpat_crash c = example_crash();

    /* Debian's 6.1.192 has the %F backport. */
    CHECK_RC(cpat_kernel_parse(LIT("6.1.192"), CPAT_FEATURE_SPEC_PIDFD, &k), CPAT_RESULT_OK);
    CHECK(k != NULL);
    CHECK_RC(cpat_kernel_parse(LIT("6.1.192"), 0, &plain), CPAT_RESULT_OK);
    CHECK(plain != NULL);

    /* With the backport %F is a specifier and the helper gets a pidfd ... */
    p = parse_ok("|/bin/helper %F", k);
    CHECK(cpat_pattern_token_count(p) == 4);
    CHECK_RC(cpat_pattern_token_get(p, 3, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_SPECIFIER && t.specifier == 'F');
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_pidfd(o));
    cpat_outcome_free(o);
    o = NULL;
    cpat_pattern_free(p);

    /* ... without it %F is unknown there (and %C is too new for 6.1). */
    p = parse_ok("|/bin/helper %F", plain);
    CHECK_RC(cpat_pattern_token_get(p, 3, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_UNKNOWN && t.specifier == 'F');
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_kind(o) == CPAT_OUTCOME_PIPE);
    CHECK(!cpat_outcome_pidfd(o));
    cpat_outcome_free(o);
    o = NULL;
    cpat_pattern_free(p);
    cpat_kernel_free(plain);
    cpat_kernel_free(k);

    /* Every backport bit at once on an old kernel. */
    k = NULL;
    CHECK_RC(cpat_kernel_parse(LIT("5.4.0"),
                               CPAT_FEATURE_SPEC_EXE_NAME | CPAT_FEATURE_SPEC_CPU |
                                   CPAT_FEATURE_SPEC_PIDFD | CPAT_FEATURE_SOCKET_MODE |
                                   CPAT_FEATURE_SOCKET_REQUEST_MODE,
                               &k),
             CPAT_RESULT_OK);
    p = parse_ok("@@/run/cd.sock", k);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_SOCKET_REQUEST);
    cpat_pattern_free(p);
    p = parse_ok("/c/%f.%C", k);
    CHECK_RC(cpat_pattern_token_get(p, 1, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_SPECIFIER && t.specifier == 'f');
    CHECK_RC(cpat_pattern_token_get(p, 3, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_SPECIFIER && t.specifier == 'C');
    cpat_pattern_free(p);
    cpat_kernel_free(k);

    /* Without backports 5.4 has no socket mode: `@` is a file name. */
    k = NULL;
    CHECK_RC(cpat_kernel_parse(LIT("5.4.0"), 0, &k), CPAT_RESULT_OK);
    p = parse_ok("@/run/cd.sock", k);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_FILE);
    cpat_pattern_free(p);
    cpat_kernel_free(k);

    /* Empty release (also NULL with length 0): the newest kernel. */
    k = NULL;
    CHECK_RC(cpat_kernel_parse((const uint8_t *)"", 0, 0, &k), CPAT_RESULT_OK);
    p = parse_ok("@@/run/cd.sock", k);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_SOCKET_REQUEST);
    cpat_pattern_free(p);
    cpat_kernel_free(k);
    k = NULL;
    CHECK_RC(cpat_kernel_parse(NULL, 0, 0, &k), CPAT_RESULT_OK);
    CHECK(k != NULL);
    cpat_kernel_free(k);

    /* Errors leave *out alone. */
    k = NULL;
    CHECK_RC(cpat_kernel_parse(LIT("not a kernel"), 0, &k), CPAT_RESULT_BAD_KERNEL_RELEASE);
    CHECK(k == NULL);
    CHECK_RC(cpat_kernel_parse(LIT("6.\xff"), 0, &k), CPAT_RESULT_INVALID_UTF8);
    CHECK(k == NULL);
    /* Only the CPAT_FEATURE_* bits are backports; any other bit is refused. */
    CHECK_RC(cpat_kernel_parse(LIT("6.1.192"), 1u, &k), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(k == NULL);
    CHECK_RC(cpat_kernel_parse(LIT("6.1.192"), CPAT_FEATURE_SPEC_PIDFD | (1u << 31), &k),
             CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(k == NULL);
    CHECK_RC(cpat_kernel_parse(NULL, 5, 0, &k), CPAT_RESULT_NULL_PARAMETER);
    CHECK(k == NULL);
    CHECK_RC(cpat_kernel_parse(LIT("6.1.192"), 0, NULL), CPAT_RESULT_NULL_PARAMETER);

    cpat_kernel_free(NULL);
}

/* ------------------------------------------------------------------ */

static void test_parse(void) {
    cpat_pattern *p = NULL;
    cpat_diag d;
    cpat_token t;
    char long_pattern[129];
    size_t i;

    /* The ACS pattern: 6 tokens. */
    static const struct {
        uint32_t kind, spec, start, end;
    } want[] = {
        {CPAT_TOKEN_LITERAL, 0, 0, 18},   /* /data/dump-a/core- */
        {CPAT_TOKEN_SPECIFIER, 'E', 18, 20},
        {CPAT_TOKEN_LITERAL, 0, 20, 21},
        {CPAT_TOKEN_SPECIFIER, 'p', 21, 23},
        {CPAT_TOKEN_LITERAL, 0, 23, 24},
        {CPAT_TOKEN_SPECIFIER, 't', 24, 26},
    };
    memset(&d, 0xff, sizeof d);
    CHECK_RC(cpat_pattern_parse(LIT(ACS), NULL, &p, &d), CPAT_RESULT_OK);
    CHECK(p != NULL);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_FILE);
    CHECK(cpat_pattern_token_count(p) == sizeof want / sizeof want[0]);
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        memset(&t, 0xff, sizeof t);
        CHECK_RC(cpat_pattern_token_get(p, i, &t), CPAT_RESULT_OK);
        CHECK(t.kind == want[i].kind);
        CHECK(t.specifier == want[i].spec);
        CHECK(t.start == want[i].start && t.end == want[i].end);
    }
    CHECK_RC(cpat_pattern_token_get(p, 6, &t), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_pattern_token_get(p, (size_t)-1, &t), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_pattern_token_get(p, 0, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_token_get(NULL, 0, &t), CPAT_RESULT_NULL_PARAMETER);
    cpat_pattern_free(p);

    /* Pipe mode: prefix, literal, space, specifier. */
    p = parse_ok("|/bin/h %p", NULL);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_PIPE);
    CHECK(cpat_pattern_token_count(p) == 4);
    CHECK_RC(cpat_pattern_token_get(p, 0, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_MODE_PREFIX && t.start == 0 && t.end == 1);
    CHECK_RC(cpat_pattern_token_get(p, 1, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_LITERAL && t.start == 1 && t.end == 7);
    CHECK_RC(cpat_pattern_token_get(p, 2, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_SPACE && t.start == 7 && t.end == 8);
    CHECK_RC(cpat_pattern_token_get(p, 3, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_SPECIFIER && t.specifier == 'p' && t.start == 8 && t.end == 10);
    cpat_pattern_free(p);

    /* Unknown specifier and trailing percent; socket modes. */
    p = parse_ok("core.%z%", NULL);
    CHECK(cpat_pattern_token_count(p) == 3);
    CHECK_RC(cpat_pattern_token_get(p, 1, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_UNKNOWN && t.specifier == 'z' && t.start == 5 && t.end == 7);
    CHECK_RC(cpat_pattern_token_get(p, 2, &t), CPAT_RESULT_OK);
    CHECK(t.kind == CPAT_TOKEN_TRAILING_PERCENT && t.specifier == 0 && t.start == 7 && t.end == 8);
    cpat_pattern_free(p);
    p = parse_ok("@/run/cd.sock", NULL);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_SOCKET);
    cpat_pattern_free(p);

    /* Empty pattern (NULL with length 0 is allowed). */
    p = NULL;
    CHECK_RC(cpat_pattern_parse(NULL, 0, NULL, &p, NULL), CPAT_RESULT_OK);
    CHECK(p != NULL && cpat_pattern_token_count(p) == 0);
    CHECK(cpat_pattern_mode(p) == CPAT_MODE_FILE);
    cpat_pattern_free(p);

    /* A newline at byte 4. */
    p = NULL;
    memset(&d, 0, sizeof d);
    CHECK_RC(cpat_pattern_parse(LIT("core\n.%p"), NULL, &p, &d), CPAT_RESULT_PARSE_NEWLINE);
    CHECK(p == NULL);
    CHECK(d.code == CPAT_RESULT_PARSE_NEWLINE && d.start == 4 && d.end == 5);
    CHECK(d.aux_start == 0 && d.aux_end == 0);

    /* 128 bytes: one too many; the span is the cut-off byte. */
    long_pattern[0] = '/';
    memset(long_pattern + 1, 'a', 127);
    long_pattern[128] = '\0';
    CHECK_RC(cpat_pattern_parse((const uint8_t *)long_pattern, 128, NULL, &p, &d),
             CPAT_RESULT_PARSE_TOO_LONG);
    CHECK(p == NULL);
    CHECK(d.code == CPAT_RESULT_PARSE_TOO_LONG && d.start == 127 && d.end == 128);
    /* 127 bytes is fine. */
    CHECK_RC(cpat_pattern_parse((const uint8_t *)long_pattern, 127, NULL, &p, &d), CPAT_RESULT_OK);
    cpat_pattern_free(p);
    p = NULL;

    /* An interior NUL: inputs are pointer + length, so it is seen. */
    CHECK_RC(cpat_pattern_parse(LIT("co\0re.%p"), NULL, &p, &d), CPAT_RESULT_PARSE_NUL);
    CHECK(p == NULL);
    CHECK(d.code == CPAT_RESULT_PARSE_NUL && d.start == 2 && d.end == 3);

    /* diag may be NULL; NULL pointers with a length or for out. */
    CHECK_RC(cpat_pattern_parse(LIT("core\n"), NULL, &p, NULL), CPAT_RESULT_PARSE_NEWLINE);
    CHECK_RC(cpat_pattern_parse(NULL, 4, NULL, &p, &d), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_parse(LIT("core"), NULL, NULL, &d), CPAT_RESULT_NULL_PARAMETER);
    CHECK(p == NULL);

    CHECK(cpat_pattern_mode(NULL) == UINT32_MAX);
    CHECK(cpat_pattern_token_count(NULL) == 0);
    cpat_pattern_free(NULL);
}

/* ------------------------------------------------------------------ */

static void test_sysctl(void) {
    const uint8_t *chunks[2];
    size_t lens[2];
    int64_t returns[2];
    cpat_write_info info;
    uint8_t stored[160];
    size_t n = 0;
    uint8_t big[200];
    cpat_kernel *k = NULL;

    /* Two write(2) calls on one open file; the trailing newline is dropped. */
    chunks[0] = (const uint8_t *)"/tmp/cor";
    lens[0] = 8;
    chunks[1] = (const uint8_t *)"es/%p\n";
    lens[1] = 6;
    memset(&info, 0xff, sizeof info);
    /* Size query first. */
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 2, 0, returns, &info, NULL, 0, &n),
             CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 13);
    CHECK(returns[0] == 8 && returns[1] == 6);
    memset(stored, SENTINEL, sizeof stored);
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 2, 0, returns, &info, stored, 12, &n),
             CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 13 && untouched(stored, sizeof stored));
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 2, 0, returns, &info, stored, 13, &n),
             CPAT_RESULT_OK);
    CHECK_BYTES(stored, n, "/tmp/cores/%p");
    CHECK(untouched(stored + 13, sizeof stored - 13));
    CHECK(info.errno_value == 0 && info.read_errno == 0);
    CHECK(info.dropped == 1);
    CHECK(!info.suid_warning);

    /* 200 bytes in one write: the kernel keeps 127 and reports 200. */
    memset(big, 'a', sizeof big);
    big[0] = '/';
    chunks[0] = big;
    lens[0] = sizeof big;
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 1, 0, returns, &info, stored,
                               sizeof stored, &n),
             CPAT_RESULT_OK);
    CHECK(returns[0] == 200);
    CHECK(n == 127);
    CHECK(info.dropped == 73);
    CHECK(info.errno_value == 0);
    CHECK(memcmp(stored, big, 127) == 0);

    /* A relative socket path: EINVAL on the newest kernel, old value kept. */
    chunks[0] = (const uint8_t *)"@run/x";
    lens[0] = 6;
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 1, 0, returns, &info, stored,
                               sizeof stored, &n),
             CPAT_RESULT_OK);
    CHECK(returns[0] == -1);
    CHECK(info.errno_value == 22);
    CHECK(info.read_errno == 0);
    CHECK_BYTES(stored, n, "core");

    /* 6.16.12 accepts it, and reading it back fails. */
    CHECK_RC(cpat_kernel_parse(LIT("6.16.12"), 0, &k), CPAT_RESULT_OK);
    CHECK_RC(cpat_sysctl_write(k, LIT("core"), chunks, lens, 1, 0, returns, &info, stored,
                               sizeof stored, &n),
             CPAT_RESULT_OK);
    CHECK(returns[0] == 6);
    CHECK(info.errno_value == 0);
    CHECK(info.read_errno == 22);
    CHECK_BYTES(stored, n, "@run/x");
    cpat_kernel_free(k);

    /* suid_dumpable = 2 and a relative name: the kernel warns. */
    chunks[0] = (const uint8_t *)"core";
    lens[0] = 4;
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 1, 2, NULL, &info, stored,
                               sizeof stored, &n),
             CPAT_RESULT_OK);
    CHECK(info.suid_warning);

    /* No writes: the previous value; returns and info may be NULL. */
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core.%p"), NULL, NULL, 0, 0, NULL, NULL, stored,
                               sizeof stored, &n),
             CPAT_RESULT_OK);
    CHECK_BYTES(stored, n, "core.%p");
    /* An empty stored value needs no buffer. */
    CHECK_RC(cpat_sysctl_write(NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, 0, &n),
             CPAT_RESULT_OK);
    CHECK(n == 0);

    /* NULL where a pointer is required. */
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), NULL, lens, 1, 0, NULL, NULL, stored,
                               sizeof stored, &n),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, NULL, 1, 0, NULL, NULL, stored,
                               sizeof stored, &n),
             CPAT_RESULT_NULL_PARAMETER);
    chunks[0] = NULL;
    lens[0] = 3;
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), chunks, lens, 1, 0, NULL, NULL, stored,
                               sizeof stored, &n),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_sysctl_write(NULL, NULL, 4, NULL, NULL, 0, 0, NULL, NULL, stored,
                               sizeof stored, &n),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), NULL, NULL, 0, 0, NULL, NULL, stored,
                               sizeof stored, NULL),
             CPAT_RESULT_NULL_PARAMETER);
    /* A buffer length with a NULL buffer. */
    CHECK_RC(cpat_sysctl_write(NULL, LIT("core"), NULL, NULL, 0, 0, NULL, NULL, NULL, 64, &n),
             CPAT_RESULT_NULL_PARAMETER);
}

/* ------------------------------------------------------------------ */

static void test_expand(void) {
    cpat_pattern *p;
    cpat_outcome *o = NULL;
    cpat_crash c = example_crash();
    cpat_settings s;
    uint8_t buf[128];
    size_t n = 0;
    size_t i;
    static const char *const systemd_argv[] = {
        "/usr/lib/systemd/systemd-coredump",
        "51234",
        "1000",
        "1000",
        "11",
        "1700000000",
        "18446744073709551615",
        "node1",
        "1",
        "3",
    };

    memset(&s, 0, sizeof s);

    /* File. */
    p = parse_ok(ACS, NULL);
    CHECK_RC(cpat_pattern_expand(p, &s, &c, &o), CPAT_RESULT_OK);
    CHECK(o != NULL);
    CHECK(cpat_outcome_kind(o) == CPAT_OUTCOME_FILE);
    CHECK(cpat_outcome_reason(o) == 0);
    CHECK_RC(cpat_outcome_path(o, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == sizeof ACS_NAME - 1);
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, ACS_NAME);
    printf("file:   %.*s\n", (int)n, (const char *)buf);
    CHECK(cpat_outcome_argc(o) == 0);
    CHECK_RC(cpat_outcome_arg(o, 0, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(!cpat_outcome_pidfd(o));
    CHECK(!cpat_outcome_request(o));
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    cpat_outcome_free(o);
    o = NULL;
    cpat_pattern_free(p);

    /* systemd-coredump: ten arguments and a pidfd. */
    p = parse_ok(SYSTEMD, NULL);
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_kind(o) == CPAT_OUTCOME_PIPE);
    CHECK(cpat_outcome_reason(o) == 0);
    CHECK(cpat_outcome_argc(o) == 10);
    CHECK(cpat_outcome_pidfd(o));
    CHECK(!cpat_outcome_request(o));
    for (i = 0; i < 10; i++) {
        size_t want = strlen(systemd_argv[i]);
        CHECK_RC(cpat_outcome_arg(o, i, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(n == want);
        memset(buf, SENTINEL, sizeof buf);
        CHECK_RC(cpat_outcome_arg(o, i, buf, want - 1, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(n == want && untouched(buf, sizeof buf));
        CHECK_RC(cpat_outcome_arg(o, i, buf, want, &n), CPAT_RESULT_OK);
        CHECK(n == want && memcmp(buf, systemd_argv[i], want) == 0);
        CHECK(untouched(buf + want, sizeof buf - want));
    }
    printf("pipe:   argc %zu, argv[1] %s, pidfd %d\n", cpat_outcome_argc(o), systemd_argv[1],
           (int)cpat_outcome_pidfd(o));
    CHECK_RC(cpat_outcome_arg(o, 10, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_outcome_arg(o, 0, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    /* Not a file pattern. */
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n),
             CPAT_RESULT_NOT_FILE_MODE);
    cpat_outcome_free(o);
    o = NULL;
    cpat_pattern_free(p);

    /* Socket, request protocol. */
    p = parse_ok("@@/run/x", NULL);
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_kind(o) == CPAT_OUTCOME_SOCKET);
    CHECK(cpat_outcome_request(o));
    CHECK(!cpat_outcome_pidfd(o));
    CHECK(cpat_outcome_argc(o) == 0);
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "/run/x");
    printf("socket: %.*s (request %d)\n", (int)n, (const char *)buf, (int)cpat_outcome_request(o));
    cpat_outcome_free(o);
    o = NULL;
    cpat_pattern_free(p);

    /* No dump: a core limit of 0 is below one page. */
    p = parse_ok(ACS, NULL);
    c.core_limit_unlimited = false;
    c.core_limit = 0;
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_kind(o) == CPAT_OUTCOME_NONE);
    CHECK(cpat_outcome_reason(o) == CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE);
    CHECK(cpat_outcome_reason(o) == 205);
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(cpat_outcome_argc(o) == 0);
    printf("none:   %s\n", cpat_result_message(cpat_outcome_reason(o)));
    cpat_outcome_free(o);
    o = NULL;
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n),
             CPAT_RESULT_NO_DUMP_CORE_LIMIT_BELOW_PAGE);
    c = example_crash();

    /* A crash no kernel has (TID 0): refused, and cpat_crash_check says
     * why with the buffer protocol. A valid crash gives OK and no text. */
    CHECK_RC(cpat_crash_check(&c, NULL, 0, &n), CPAT_RESULT_OK);
    CHECK(n == 0);
    c.tid = 0;
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(o == NULL);
    n = 7;
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n),
             CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(n == 7);
    CHECK_RC(cpat_crash_check(&c, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == sizeof "tid 0 is outside what a kernel produces for %i: 1..=4194303" - 1);
    CHECK_RC(cpat_crash_check(&c, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_BYTES(buf, n, "tid 0 is outside what a kernel produces for %i: 1..=4194303");
    printf("crash:  %.*s\n", (int)n, (const char *)buf);
    CHECK_RC(cpat_crash_check(NULL, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_crash_check(&c, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    c = example_crash();

    /* NULL arguments. */
    CHECK_RC(cpat_pattern_expand(NULL, NULL, &c, &o), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_expand(p, NULL, NULL, &o), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK(o == NULL);
    c.comm = NULL; /* with comm_len 5 */
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_NULL_PARAMETER);
    CHECK(o == NULL);
    c = example_crash();
    c.has_exe = false; /* then exe is ignored, even NULL with a length */
    c.exe = NULL;
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK_RC(cpat_outcome_path(o, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "/data/dump-a/core-myapp (path unknown)-1234-1700000000");
    cpat_outcome_free(o);
    o = NULL;
    c = example_crash();
    cpat_pattern_free(p);

    CHECK(cpat_outcome_kind(NULL) == UINT32_MAX);
    CHECK(cpat_outcome_reason(NULL) == 0);
    CHECK(cpat_outcome_argc(NULL) == 0);
    CHECK(!cpat_outcome_pidfd(NULL));
    CHECK(!cpat_outcome_request(NULL));
    CHECK_RC(cpat_outcome_path(NULL, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_outcome_arg(NULL, 0, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    cpat_outcome_free(NULL);
}

/* ------------------------------------------------------------------ */

static void test_expand_file_name(void) {
    cpat_pattern *p = parse_ok(ACS, NULL);
    cpat_crash c = example_crash();
    cpat_settings s;
    const size_t need = sizeof ACS_NAME - 1; /* 48 */
    uint8_t buf[96];
    size_t n = 0;
    uint8_t *heap;

    /* 1. Size query: NULL buffer, length 0. */
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == need);

    /* 2. One byte short: nothing written (the sentinel survives). */
    memset(buf, SENTINEL, sizeof buf);
    n = 0;
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, need - 1, &n),
             CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == need);
    CHECK(untouched(buf, sizeof buf));
    /* Even a 1-byte buffer. */
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, 1, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == need && untouched(buf, sizeof buf));

    /* 3. The exact size, from the heap as a caller would do it. */
    heap = (uint8_t *)malloc(n);
    CHECK(heap != NULL);
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, heap, n, &n), CPAT_RESULT_OK);
    CHECK_BYTES(heap, n, ACS_NAME);
    free(heap);

    /* A larger buffer: exactly `need` bytes written, no NUL after them. */
    memset(buf, SENTINEL, sizeof buf);
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, ACS_NAME);
    CHECK(untouched(buf + need, sizeof buf - need));

    /* NULL out_len, a NULL buffer with a length, NULL pattern or crash. */
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, NULL),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, NULL, sizeof buf, &n),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_expand_file_name(NULL, NULL, &c, buf, sizeof buf, &n),
             CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, NULL, buf, sizeof buf, &n),
             CPAT_RESULT_NULL_PARAMETER);
    cpat_pattern_free(p);

    /* core_uses_pid appends .PID when %p is absent. */
    p = parse_ok("core", NULL);
    memset(&s, 0, sizeof s);
    s.core_uses_pid = 1;
    CHECK_RC(cpat_pattern_expand_file_name(p, &s, &c, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "core.1234");
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "core");
    cpat_pattern_free(p);

    /* Bytes, not text: a comm of 0xff goes through as it is. */
    p = parse_ok("/cores/core.%e.%p", NULL);
    c.comm = (const uint8_t *)"\xff";
    c.comm_len = 1;
    CHECK_RC(cpat_pattern_expand_file_name(p, NULL, &c, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "/cores/core.\xff.1234");
    cpat_pattern_free(p);
}

/* ------------------------------------------------------------------ */

static void test_lint(void) {
    cpat_lint_report *r = NULL;
    cpat_lint_item item;
    size_t count, i, n = 0;
    int saw_509 = 0;
    uint8_t buf[512];
    cpat_settings s;

    CHECK(strcmp(cpat_lint_name(509), "no-unique-field") == 0);
    CHECK(strcmp(cpat_lint_name(500), "truncated") == 0);
    CHECK(strcmp(cpat_lint_name(524), "empty-pattern") == 0);
    CHECK(strcmp(cpat_lint_name(0), "unknown") == 0);
    CHECK(strcmp(cpat_lint_name(499), "unknown") == 0);
    CHECK(strcmp(cpat_lint_name(525), "unknown") == 0);
    CHECK(strcmp(cpat_lint_name(UINT32_MAX), "unknown") == 0);

    /* "core" as written with echo: no unique field, relative path. */
    CHECK_RC(cpat_lint(LIT("core\n"), NULL, NULL, &r), CPAT_RESULT_OK);
    CHECK(r != NULL);
    count = cpat_lint_report_count(r);
    CHECK(count >= 2);
    for (i = 0; i < count; i++) {
        memset(&item, 0xff, sizeof item);
        CHECK_RC(cpat_lint_report_get(r, i, &item), CPAT_RESULT_OK);
        CHECK(item.code >= 500 && item.code <= 524);
        CHECK(strcmp(cpat_lint_name(item.code), "unknown") != 0);
        CHECK(item.severity <= CPAT_SEVERITY_ERROR);
        CHECK(item.start <= item.end && item.end <= 5);
        if (item.code == 509) {
            saw_509 = 1;
        }
        /* message: size query, short buffer untouched, exact. */
        CHECK_RC(cpat_lint_report_message(r, i, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(n > 0 && n < sizeof buf);
        memset(buf, SENTINEL, sizeof buf);
        CHECK_RC(cpat_lint_report_message(r, i, buf, n - 1, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(untouched(buf, sizeof buf));
        CHECK_RC(cpat_lint_report_message(r, i, buf, n, &n), CPAT_RESULT_OK);
        CHECK(untouched(buf + n, sizeof buf - n));
        printf("lint:   %u %s: %.*s\n", (unsigned)item.code, cpat_lint_name(item.code), (int)n,
               (const char *)buf);
        /* help */
        CHECK_RC(cpat_lint_report_help(r, i, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(n > 0 && n < sizeof buf);
        CHECK_RC(cpat_lint_report_help(r, i, buf, sizeof buf, &n), CPAT_RESULT_OK);
    }
    CHECK(saw_509);
    CHECK_RC(cpat_lint_report_get(r, count, &item), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_lint_report_get(r, 0, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint_report_message(r, count, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_lint_report_help(r, count, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_lint_report_message(r, 0, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint_report_help(r, 0, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    /* The stored value: the kernel stops at the newline. */
    CHECK_RC(cpat_lint_report_stored(r, NULL, 0, &n), CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 4);
    CHECK_RC(cpat_lint_report_stored(r, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "core");
    CHECK_RC(cpat_lint_report_stored(r, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    cpat_lint_report_free(r);
    r = NULL;

    /* A clean pattern (with settings) has no no-unique-field lint. */
    memset(&s, 0, sizeof s);
    CHECK_RC(cpat_lint(LIT(ACS), NULL, &s, &r), CPAT_RESULT_OK);
    count = cpat_lint_report_count(r);
    for (i = 0; i < count; i++) {
        CHECK_RC(cpat_lint_report_get(r, i, &item), CPAT_RESULT_OK);
        CHECK(item.code != 509);
    }
    cpat_lint_report_free(r);
    r = NULL;

    /* Non-UTF-8 input is linted, not rejected. */
    CHECK_RC(cpat_lint(LIT("/cores/\xff%p"), NULL, NULL, &r), CPAT_RESULT_OK);
    CHECK_RC(cpat_lint_report_stored(r, buf, sizeof buf, &n), CPAT_RESULT_OK);
    CHECK_BYTES(buf, n, "/cores/\xff%p");
    cpat_lint_report_free(r);
    r = NULL;

    /* NULL handling. */
    CHECK_RC(cpat_lint(NULL, 4, NULL, NULL, &r), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint(LIT("core"), NULL, NULL, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK(r == NULL);
    CHECK(cpat_lint_report_count(NULL) == 0);
    CHECK_RC(cpat_lint_report_get(NULL, 0, &item), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint_report_message(NULL, 0, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint_report_help(NULL, 0, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_lint_report_stored(NULL, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    cpat_lint_report_free(NULL);
}

/* ------------------------------------------------------------------ */

/* Field `f` of candidate `c`: its letter and bytes. */
static void check_field(int line, const cpat_matches *r, size_t c, size_t f, char spec,
                        uint32_t arg, const char *bytes) {
    cpat_field fl;
    uint8_t buf[64];
    size_t n = 0, want = strlen(bytes);
    memset(&fl, 0xff, sizeof fl);
    CHECK_RC(cpat_matches_field(r, c, f, &fl), CPAT_RESULT_OK);
    CHECK_RC(cpat_matches_field_bytes(r, c, f, NULL, 0, &n),
             want == 0 ? CPAT_RESULT_OK : CPAT_RESULT_BUFFER_TOO_SMALL);
    checks_run++;
    if (fl.specifier != (uint32_t)(unsigned char)spec || fl.arg != arg || n != want ||
        fl.end - fl.start != want) {
        fprintf(stderr,
                "FAIL %s:%d: field %zu of candidate %zu: %%%c arg %u span %u..%u (%zu bytes), "
                "want %%%c arg %u, %zu bytes\n",
                __FILE__, line, f, c, (char)fl.specifier, (unsigned)fl.arg, (unsigned)fl.start,
                (unsigned)fl.end, n, spec, (unsigned)arg, want);
        exit(1);
    }
    memset(buf, SENTINEL, sizeof buf);
    if (want > 0) {
        CHECK_RC(cpat_matches_field_bytes(r, c, f, buf, want - 1, &n),
                 CPAT_RESULT_BUFFER_TOO_SMALL);
        CHECK(untouched(buf, sizeof buf));
    }
    CHECK_RC(cpat_matches_field_bytes(r, c, f, buf, sizeof buf, &n), CPAT_RESULT_OK);
    check_bytes(line, buf, n, bytes, want);
}

static void test_matcher(void) {
    cpat_pattern *p;
    cpat_matcher *m = NULL;
    cpat_matches *r = NULL;
    cpat_outcome *o = NULL;
    cpat_field fl;
    cpat_crash c = example_crash();
    uint8_t buf[64];
    size_t n, i;
    static const char component[] = "core-!usr!bin!myapp-1234-1700000000";
    uint8_t args[10][64];
    const uint8_t *argv[10];
    size_t lens[10];

    /* The ACS pattern, matched against a directory listing entry. */
    p = parse_ok(ACS, NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_COMPONENT, &m), CPAT_RESULT_OK);
    CHECK(m != NULL);
    CHECK_RC(cpat_matcher_match_name(m, LIT(component), 8, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 1);
    CHECK(cpat_matches_exact(r));
    CHECK(cpat_matches_candidate_count(r) == 1);
    CHECK(cpat_matches_field_count(r, 0) == 3);
    check_field(__LINE__, r, 0, 0, 'E', 0, "!usr!bin!myapp");
    check_field(__LINE__, r, 0, 1, 'p', 0, "1234");
    check_field(__LINE__, r, 0, 2, 't', 0, "1700000000");
    CHECK_RC(cpat_matches_field(r, 0, 0, &fl), CPAT_RESULT_OK);
    CHECK(fl.start == 5 && fl.end == 19);
    CHECK_RC(cpat_matches_field(r, 0, 1, &fl), CPAT_RESULT_OK);
    CHECK(fl.start == 20 && fl.end == 24);
    CHECK_RC(cpat_matches_field(r, 0, 2, &fl), CPAT_RESULT_OK);
    CHECK(fl.start == 25 && fl.end == 35);
    CHECK_RC(cpat_matches_field(r, 0, 3, &fl), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_matches_field(r, 1, 0, &fl), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_matches_field(r, 0, 0, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matches_field_bytes(r, 0, 3, buf, sizeof buf, &n), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_matches_field_bytes(r, 0, 0, buf, sizeof buf, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK(cpat_matches_field_count(r, 1) == 0);
    printf("match:  %s -> %%E %%p %%t (count %llu)\n", component,
           (unsigned long long)cpat_matches_count(r));
    cpat_matches_free(r);
    r = NULL;

    /* A name the pattern cannot produce. */
    CHECK_RC(cpat_matcher_match_name(m, LIT("vmcore"), 8, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 0);
    CHECK(cpat_matches_candidate_count(r) == 0);
    cpat_matches_free(r);
    r = NULL;
    /* max_candidates 0: the count, no listing. */
    CHECK_RC(cpat_matcher_match_name(m, LIT(component), 0, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 1);
    CHECK(cpat_matches_candidate_count(r) == 0);
    cpat_matches_free(r);
    r = NULL;
    /* Argv against a file pattern's matcher: nothing to match. */
    CHECK_RC(cpat_matcher_match_argv(m, NULL, NULL, 0, 8, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 0);
    cpat_matches_free(r);
    r = NULL;
    cpat_matcher_free(m);
    m = NULL;

    /* The whole path. */
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_OK);
    CHECK_RC(cpat_matcher_match_name(m, LIT(ACS_NAME), 8, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 1);
    check_field(__LINE__, r, 0, 1, 'p', 0, "1234");
    cpat_matches_free(r);
    r = NULL;
    cpat_matcher_free(m);
    m = NULL;

    /* Wrong target, invalid target. */
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_ARGV, &m), CPAT_RESULT_MATCH_WRONG_TARGET);
    CHECK(m == NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, 3, &m), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cpat_matcher_new(p, NULL, UINT32_MAX, &m), CPAT_RESULT_INVALID_ARGUMENT);
    CHECK(m == NULL);
    CHECK_RC(cpat_matcher_new(NULL, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, NULL), CPAT_RESULT_NULL_PARAMETER);
    cpat_pattern_free(p);

    /* A non-UTF-8 comm comes back as the same byte. */
    p = parse_ok("/cores/core.%e.%p", NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_COMPONENT, &m), CPAT_RESULT_OK);
    CHECK_RC(cpat_matcher_match_name(m, LIT("core.\xff.1234"), 4, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 1);
    CHECK(cpat_matches_field_count(r, 0) == 2);
    check_field(__LINE__, r, 0, 0, 'e', 0, "\xff");
    check_field(__LINE__, r, 0, 1, 'p', 0, "1234");
    cpat_matches_free(r);
    r = NULL;
    cpat_matcher_free(m);
    m = NULL;
    cpat_pattern_free(p);

    /* core.%p%u: five ways to split 12341000, only two listed. */
    p = parse_ok("core.%p%u", NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_OK);
    CHECK_RC(cpat_matcher_match_name(m, LIT("core.12341000"), 2, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 5);
    CHECK(cpat_matches_exact(r));
    CHECK(cpat_matches_candidate_count(r) == 2);
    for (i = 0; i < 2; i++) {
        cpat_field pid, uid;
        CHECK(cpat_matches_field_count(r, i) == 2);
        CHECK_RC(cpat_matches_field(r, i, 0, &pid), CPAT_RESULT_OK);
        CHECK_RC(cpat_matches_field(r, i, 1, &uid), CPAT_RESULT_OK);
        CHECK(pid.specifier == 'p' && uid.specifier == 'u');
        CHECK(pid.start == 5 && pid.end == uid.start && uid.end == 13);
    }
    CHECK(cpat_matches_field_count(r, 2) == 0);
    CHECK_RC(cpat_matches_field(r, 2, 0, &fl), CPAT_RESULT_INVALID_ARGUMENT);
    printf("match:  core.12341000 against core.%%p%%u: %llu candidates, %zu listed\n",
           (unsigned long long)cpat_matches_count(r), cpat_matches_candidate_count(r));
    cpat_matches_free(r);
    r = NULL;
    cpat_matcher_free(m);
    m = NULL;
    cpat_pattern_free(p);

    /* The systemd helper's argv, as the kernel builds it. */
    p = parse_ok(SYSTEMD, NULL);
    CHECK_RC(cpat_pattern_expand(p, NULL, &c, &o), CPAT_RESULT_OK);
    CHECK(cpat_outcome_argc(o) == 10);
    for (i = 0; i < 10; i++) {
        CHECK_RC(cpat_outcome_arg(o, i, args[i], sizeof args[i], &lens[i]), CPAT_RESULT_OK);
        argv[i] = args[i];
    }
    cpat_outcome_free(o);
    o = NULL;
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_ARGV, &m), CPAT_RESULT_OK);
    CHECK_RC(cpat_matcher_match_argv(m, argv, lens, 10, 4, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 1);
    CHECK(cpat_matches_candidate_count(r) == 1);
    /* Eight fields: %F is always "3" (the pidfd's fd), so it is no field. */
    CHECK(cpat_matches_field_count(r, 0) == 8);
    check_field(__LINE__, r, 0, 0, 'P', 1, "51234");
    check_field(__LINE__, r, 0, 1, 'u', 2, "1000");
    check_field(__LINE__, r, 0, 2, 'g', 3, "1000");
    check_field(__LINE__, r, 0, 3, 's', 4, "11");
    check_field(__LINE__, r, 0, 4, 't', 5, "1700000000");
    check_field(__LINE__, r, 0, 5, 'c', 6, "18446744073709551615");
    check_field(__LINE__, r, 0, 6, 'h', 7, "node1");
    check_field(__LINE__, r, 0, 7, 'd', 8, "1");
    CHECK_RC(cpat_matches_field(r, 0, 8, &fl), CPAT_RESULT_INVALID_ARGUMENT);
    cpat_matches_free(r);
    r = NULL;
    /* A wrong argv[0] does not match. */
    argv[0] = (const uint8_t *)"/bin/true";
    lens[0] = 9;
    CHECK_RC(cpat_matcher_match_argv(m, argv, lens, 10, 4, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 0);
    cpat_matches_free(r);
    r = NULL;
    /* NULL arrays with argc > 0, a NULL argument with a length, NULL out. */
    CHECK_RC(cpat_matcher_match_argv(m, NULL, lens, 10, 4, &r), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matcher_match_argv(m, argv, NULL, 10, 4, &r), CPAT_RESULT_NULL_PARAMETER);
    argv[3] = NULL;
    CHECK_RC(cpat_matcher_match_argv(m, argv, lens, 10, 4, &r), CPAT_RESULT_NULL_PARAMETER);
    argv[3] = args[3];
    CHECK_RC(cpat_matcher_match_argv(m, argv, lens, 10, 4, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matcher_match_argv(NULL, argv, lens, 10, 4, &r), CPAT_RESULT_NULL_PARAMETER);
    CHECK(r == NULL);
    /* A file target on a pipe pattern. */
    cpat_matcher_free(m);
    m = NULL;
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_MATCH_WRONG_TARGET);
    CHECK(m == NULL);
    cpat_pattern_free(p);

    /* Socket patterns have no fields. */
    p = parse_ok("@@/run/x", NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_MATCH_NO_FIELDS);
    CHECK(m == NULL);
    cpat_pattern_free(p);

    /* NULL handles. */
    CHECK_RC(cpat_matcher_match_name(NULL, LIT("core"), 1, &r), CPAT_RESULT_NULL_PARAMETER);
    p = parse_ok("core.%p", NULL);
    CHECK_RC(cpat_matcher_new(p, NULL, CPAT_TARGET_PATH, &m), CPAT_RESULT_OK);
    CHECK_RC(cpat_matcher_match_name(m, NULL, 4, 1, &r), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matcher_match_name(m, LIT("core.1"), 1, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK(r == NULL);
    CHECK_RC(cpat_matcher_match_name(m, NULL, 0, 1, &r), CPAT_RESULT_OK);
    CHECK(cpat_matches_count(r) == 0);
    cpat_matches_free(r);
    r = NULL;
    cpat_matcher_free(m);
    cpat_pattern_free(p);

    CHECK(cpat_matches_count(NULL) == 0);
    CHECK(!cpat_matches_exact(NULL));
    CHECK(cpat_matches_candidate_count(NULL) == 0);
    CHECK(cpat_matches_field_count(NULL, 0) == 0);
    CHECK_RC(cpat_matches_field(NULL, 0, 0, &fl), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_matches_field_bytes(NULL, 0, 0, buf, sizeof buf, &n), CPAT_RESULT_NULL_PARAMETER);
    cpat_matcher_free(NULL);
    cpat_matches_free(NULL);
}

/* ------------------------------------------------------------------ */

static const char DEPLOYMENT[] =
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: app\n"
    "spec:\n"
    "  selector:\n"
    "    matchLabels: {app: app}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: {app: app}\n"
    "      annotations:\n"
    "        alibabacloud.com/core-pattern: \"/data/dump-a/core-%E-%p-%t\"\n"
    "    spec:\n"
    "      containers:\n"
    "        - name: app\n"
    "          image: app:1\n";

static void test_manifest(void) {
    size_t n = 0, need;
    bool has_errors = false;
    cpat_diag d;
    char *json;
    uint8_t small[8];
    uint8_t *big;
    size_t big_len;

    /* Size query, too small, exact. The directory is not mounted: an error. */
    CHECK_RC(cpat_check_manifest(LIT(DEPLOYMENT), NULL, 0, &n, &has_errors, &d),
             CPAT_RESULT_BUFFER_TOO_SMALL);
    need = n;
    CHECK(need > sizeof small);
    memset(small, SENTINEL, sizeof small);
    CHECK_RC(cpat_check_manifest(LIT(DEPLOYMENT), small, sizeof small, &n, NULL, NULL),
             CPAT_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == need && untouched(small, sizeof small));
    json = (char *)malloc(need + 1);
    CHECK(json != NULL);
    has_errors = false;
    CHECK_RC(cpat_check_manifest(LIT(DEPLOYMENT), (uint8_t *)json, need, &n, &has_errors, &d),
             CPAT_RESULT_OK);
    CHECK(n == need);
    json[n] = '\0'; /* outputs are not NUL-terminated */
    CHECK(json[0] == '{');
    CHECK(strstr(json, "\"findings\"") != NULL);
    CHECK(strstr(json, "directory-not-mounted") != NULL);
    CHECK(has_errors);
    printf("manifest: %zu bytes of JSON, has_errors %d\n", n, (int)has_errors);
    free(json);

    /* Invalid YAML: the line is in aux_start. */
    memset(&d, 0, sizeof d);
    n = 12345;
    CHECK_RC(cpat_check_manifest(LIT("kind: Deployment\nmetadata: [a, b\n"), NULL, 0, &n, NULL, &d),
             CPAT_RESULT_MANIFEST_SYNTAX);
    CHECK(d.code == CPAT_RESULT_MANIFEST_SYNTAX);
    CHECK(d.aux_start >= 1 && d.aux_start <= 3);
    printf("manifest: syntax error at line %u, column %u\n", (unsigned)d.aux_start,
           (unsigned)d.aux_end);
    /* diag may be NULL. */
    CHECK_RC(cpat_check_manifest(LIT("a: [\n"), NULL, 0, &n, NULL, NULL),
             CPAT_RESULT_MANIFEST_SYNTAX);
    /* A document that is not a mapping. */
    CHECK_RC(cpat_check_manifest(LIT("42\n"), NULL, 0, &n, NULL, &d), CPAT_RESULT_MANIFEST_FIELD);
    CHECK(d.code == CPAT_RESULT_MANIFEST_FIELD);
    /* Over the 16 MiB limit. */
    big_len = ((size_t)16 << 20) + 1;
    big = (uint8_t *)malloc(big_len);
    CHECK(big != NULL);
    memset(big, ' ', big_len);
    CHECK_RC(cpat_check_manifest(big, big_len, NULL, 0, &n, NULL, &d),
             CPAT_RESULT_MANIFEST_TOO_LARGE);
    CHECK(d.code == CPAT_RESULT_MANIFEST_TOO_LARGE);
    free(big);
    /* Not UTF-8. */
    CHECK_RC(cpat_check_manifest(LIT("kind: \xff\xfe\n"), NULL, 0, &n, NULL, &d),
             CPAT_RESULT_INVALID_UTF8);
    /* NULL text with a length, NULL out_len. */
    CHECK_RC(cpat_check_manifest(NULL, 10, NULL, 0, &n, NULL, NULL), CPAT_RESULT_NULL_PARAMETER);
    CHECK_RC(cpat_check_manifest(LIT(DEPLOYMENT), small, sizeof small, NULL, NULL, NULL),
             CPAT_RESULT_NULL_PARAMETER);
}

int main(void) {
    test_version();
    test_result_names();
    test_kernel();
    test_parse();
    test_sysctl();
    test_expand();
    test_expand_file_name();
    test_lint();
    test_matcher();
    test_manifest();
    printf("%lu checks\n", checks_run);
    printf("c example: all checks passed\n");
    return 0;
}
