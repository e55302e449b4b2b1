/*
 * runner: PID 1 of the conformance guest.
 *
 *   runner CASES.TSV [RECORD-DEVICE]
 *
 * Runs inside the VM only: it writes kernel.core_pattern and other sysctls.
 * It refuses to run unless it is PID 1 (set RUNNER_ALLOW_NOT_PID1=1 to run
 * it from a shell inside a guest).
 *
 * Case file: one case per line, `#` lines and empty lines ignored, six
 * TAB-separated fields:
 *   0 id           ASCII
 *   1 settings     core_uses_pid,suid_dumpable,core_pipe_limit (decimal;
 *                  an empty element or `-` leaves that sysctl alone)
 *   2 previous     hex, written first with one open+write+close (`-`: none)
 *   3 chunks       `-`, or comma-separated hex, one write() each on one open
 *                  file (an empty element is a zero-length write)
 *   4 crasher      `-` or key=value,...: exe, argv0, comm, thread, signal,
 *                  rlimit, uid, gid, dumpable, pidns, uts, cwd, delete_exe
 *                  (passed to the crasher verbatim as argv[1]; the runner
 *                  itself uses exe, argv0 and cwd)
 *   5 setup        `-` or key=value,...: mkdir=HEX (repeatable), sock=HEX,
 *                  ack=N, wait=MS
 *
 * For each case it writes exactly one JSON line to the record device
 * (default stdout):
 *   {"id", "release", "write": {"previous_return", "previous_errno",
 *    "returns", "errnos", "stored" | null, "read_errno" | null},
 *    "crash": <crash.json> | null, "status": {...} | null,
 *    "files": [hex path, ...], "helper": <helper.json> | null,
 *    "socket": <sock.json> | null, "notes": [text, ...]}
 * and at the end {"done": N, "release": "..."}, then powers off.
 *
 * Files listed: the regular files under /tmp/cores and /tmp/w, and under
 * directories the runner created for this case outside those two (mkdir=,
 * the crasher's cwd), never the exe copy's directory.
 */
#include "common.h"

#include <dirent.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>

#define PROG "runner"
#define CORES "/tmp/cores"
#define WDIR "/tmp/w"
#define CRASH_JSON "/tmp/crash.json"
#define HELPER_JSON "/tmp/helper.json"
#define SOCK_JSON "/tmp/sock.json"
#define CORE_PATTERN "/proc/sys/kernel/core_pattern"
#define CRASHER_BIN "/bin/crasher"
#define SOCKSERV_BIN "/bin/sockserv"
#define DEFAULT_EXE "/tmp/bin/crasher"
#define CRASHER_TIMEOUT_MS 10000
#define DEFAULT_WAIT_MS 1500

/* ------------------------------------------------------------------ */
/* String lists                                                        */

struct strlist {
	char **v;
	size_t n, cap;
};

static void sl_add(struct strlist *l, char *s) /* takes ownership */
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static void sl_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* p is root or inside it. */
static int path_under(const char *p, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(p, root, n) && (p[n] == '\0' || p[n] == '/');
}

/* ------------------------------------------------------------------ */
/* Global state                                                        */

static int rec_fd = STDOUT_FILENO;
static char release[sizeof(((struct utsname *)0)->release)];
static char *crasher_bin;
static size_t crasher_len;
static int crasher_bin_errno;
static struct strlist created; /* to remove at the next cleanup */

struct child {
	pid_t pid;
	int done;
	int status;
	int stopped; /* last stop signal seen, 0 if none */
};
static struct child ch_crasher, ch_sock;

/* Notes of the current case: the body of a JSON array. */
static struct buf notes;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (notes.len)
		buf_puts(&notes, ", ");
	buf_json_str(&notes, msg);
	logmsg(PROG, "note: %s", msg);
}

/* Hex of a path for notes (paths may hold any byte). */
static const char *hexs(const char *s)
{
	static char out[2 * 300 + 4];
	size_t n = strlen(s);
	if (n > 300)
		n = 300;
	hex_encode((const unsigned char *)s, n, out);
	return out;
}

/* ------------------------------------------------------------------ */
/* Children                                                            */

static void reap(void)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG | WUNTRACED);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return;
		struct child *c = p == ch_crasher.pid ? &ch_crasher : p == ch_sock.pid ? &ch_sock : NULL;
		if (WIFSTOPPED(st)) {
			if (c)
				c->stopped = WSTOPSIG(st);
			if (kill(p, SIGCONT) != 0)
				logmsg(PROG, "SIGCONT %ld: %s", (long)p, errno_name(errno));
			continue;
		}
		if (c) {
			c->done = 1;
			c->status = st;
		}
	}
}

/* Wait for a tracked child until it ends or timeout_ms passed. 1 if it
 * ended. */
static int wait_for(struct child *c, long timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		reap();
		if (c->done)
			return 1;
		if (mono_ms() >= deadline)
			return 0;
		sleep_ms(5);
	}
}

static pid_t spawn(const char *path, char *const argv[])
{
	static char *const envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", NULL };
	pid_t p = fork();
	if (p < 0)
		return -1;
	if (p == 0) {
		int fd = open("/dev/null", O_RDONLY | O_NOCTTY);
		if (fd >= 0 && fd != STDIN_FILENO) {
			if (dup2(fd, STDIN_FILENO) < 0)
				logmsg(PROG, "dup2: %s", errno_name(errno));
			close(fd);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(path, argv, envp);
		logmsg(PROG, "exec %s: %s", path, errno_name(errno));
		_exit(127);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* Remove a file or a directory tree (not following symlinks). */
static int rm_rf_at(int at, const char *name, int depth)
{
	struct stat st;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	if (depth > 64) {
		errno = ELOOP;
		return -1;
	}
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	struct strlist names = { 0 };
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sl_add(&names, xstrdup(e->d_name));
	}
	int rc = 0;
	for (size_t i = 0; i < names.n; i++)
		if (rm_rf_at(dirfd(d), names.v[i], depth + 1) != 0)
			rc = -1;
	sl_clear(&names);
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

static int rm_rf(const char *path)
{
	return rm_rf_at(AT_FDCWD, path, 0);
}

/* The exe copy of the current case (not listed as an outcome). */
static dev_t exe_dev;
static ino_t exe_ino;
static int have_exe_ino;

/* Collect the regular files under dir (full paths), except the exe copy. */
static void list_files(const char *dir, struct strlist *out, int depth)
{
	if (depth > 64)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct buf p = { 0 };
		buf_puts(&p, dir);
		if (p.len == 0 || p.p[p.len - 1] != '/')
			buf_puts(&p, "/");
		buf_puts(&p, e->d_name);
		struct stat st;
		if (lstat(p.p, &st) == 0) {
			if (S_ISREG(st.st_mode) &&
			    !(have_exe_ino && st.st_dev == exe_dev && st.st_ino == exe_ino)) {
				sl_add(out, p.p);
				continue;
			}
			if (S_ISDIR(st.st_mode))
				list_files(p.p, out, depth + 1);
		}
		buf_free(&p);
	}
	closedir(d);
}

static void make_dir_1777(const char *path)
{
	if (mkdir(path, 01777) != 0 && errno != EEXIST)
		note("mkdir %s: %s", path, errno_name(errno));
	if (chmod(path, 01777) != 0)
		note("chmod %s: %s", path, errno_name(errno));
}

/* Write text to a sysctl file; 0 or errno. */
static int write_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t w = write(fd, text, strlen(text));
	int e = w < 0 ? errno : (size_t)w != strlen(text) ? EIO : 0;
	if (close(fd) != 0 && !e)
		e = errno;
	return e;
}

/* ------------------------------------------------------------------ */
/* Record device                                                       */

static void drain(int fd)
{
	int q;
	if (ioctl(fd, TIOCOUTQ, &q) != 0) {
		if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
			logmsg(PROG, "fsync record: %s", errno_name(errno));
		return;
	}
	int64_t deadline = mono_ms() + 3000;
	while (q > 0 && mono_ms() < deadline) {
		sleep_ms(2);
		if (ioctl(fd, TIOCOUTQ, &q) != 0)
			break;
	}
}

static void emit(struct buf *rec)
{
	buf_add(rec, "\n", 1);
	if (write_all_timeout(rec_fd, rec->p, rec->len, 20000) != 0)
		logmsg(PROG, "writing a record: %s", errno_name(errno));
	drain(rec_fd);
}

static void open_record(const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		logmsg(PROG, "open %s: %s; records go to stdout", path, errno_name(errno));
		return;
	}
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cflag |= CLOCAL;
		t.c_cflag &= ~(tcflag_t)CRTSCTS;
		t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		if (tcsetattr(fd, TCSANOW, &t) != 0)
			logmsg(PROG, "tcsetattr %s: %s", path, errno_name(errno));
	}
	rec_fd = fd;
}

/* ------------------------------------------------------------------ */
/* Boot-time setup                                                     */

static void ensure_mount(const char *src, const char *dir, const char *type, const char *data)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		logmsg(PROG, "mkdir %s: %s", dir, errno_name(errno));
	struct stat a, b;
	if (stat(dir, &a) == 0 && stat("/", &b) == 0 && a.st_dev != b.st_dev)
		return; /* something is mounted there already */
	if (mount(src, dir, type, 0, data) != 0 && errno != EBUSY)
		logmsg(PROG, "mount %s on %s: %s", type, dir, errno_name(errno));
}

static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open(fd == 0 ? "/dev/null" : "/dev/console", (fd == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY);
		if (n < 0)
			n = open("/dev/null", O_RDWR | O_NOCTTY);
		if (n >= 0 && n != fd) {
			if (dup2(n, fd) < 0)
				logmsg(PROG, "dup2: %s", errno_name(errno));
			close(n);
		}
	}
}

/* ------------------------------------------------------------------ */
/* One case                                                            */

struct kv {
	char *key, *val;
};

/* Split "k=v,k=v" (or "-") into pairs; 0, or -1 on an element without '='. */
static int split_kv(const char *s, struct kv **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!strcmp(s, "-") || !*s)
		return 0;
	char *copy = xstrdup(s), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (!eq) {
			rc = -1;
			continue;
		}
		*eq = '\0';
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[*n].key = xstrdup(t);
		(*out)[*n].val = xstrdup(eq + 1);
		(*n)++;
	}
	free(copy);
	return rc;
}

static void free_kv(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

/* Split on a separator keeping empty elements. */
static size_t split_keep(char *s, char sep, char ***out)
{
	size_t n = 1;
	for (char *p = s; *p; p++)
		n += *p == sep;
	char **v = xmalloc(n * sizeof *v);
	size_t i = 0;
	v[i++] = s;
	for (char *p = s; *p; p++)
		if (*p == sep) {
			*p = '\0';
			v[i++] = p + 1;
		}
	*out = v;
	return n;
}

static void cleanup(void)
{
	for (size_t i = created.n; i-- > 0;)
		if (rm_rf(created.v[i]) != 0)
			logmsg(PROG, "cleanup %s: %s", hexs(created.v[i]), errno_name(errno));
	sl_clear(&created);
	if (rm_rf(CORES) != 0)
		logmsg(PROG, "rm -rf %s: %s", CORES, errno_name(errno));
	if (rm_rf(WDIR) != 0)
		logmsg(PROG, "rm -rf %s: %s", WDIR, errno_name(errno));
	make_dir_1777(CORES);
	make_dir_1777(WDIR);
	const char *gone[] = { CRASH_JSON, HELPER_JSON, SOCK_JSON };
	for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
		if (unlink(gone[i]) != 0 && errno != ENOENT)
			logmsg(PROG, "unlink %s: %s", gone[i], errno_name(errno));
	/* Temp files of a writer that did not get to rename. */
	DIR *d = opendir("/tmp");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!strncmp(e->d_name, "crash.json.tmp.", 15) ||
			    !strncmp(e->d_name, "helper.json.tmp.", 16) ||
			    !strncmp(e->d_name, "sock.json.tmp.", 14))
				if (unlinkat(dirfd(d), e->d_name, 0) != 0)
					logmsg(PROG, "unlink /tmp/%s: %s", e->d_name, errno_name(errno));
		}
		closedir(d);
	}
}

/* Track a directory the runner created: removed at the next cleanup and,
 * when list is set and it lies outside /tmp/cores and /tmp/w, listed. */
static void track_created(char *first, int list, struct strlist *roots)
{
	if (!first)
		return;
	if (list && !path_under(first, CORES) && !path_under(first, WDIR)) {
		int dup = 0;
		for (size_t i = 0; i < roots->n; i++)
			if (path_under(first, roots->v[i]))
				dup = 1;
		if (!dup)
			sl_add(roots, xstrdup(first));
	}
	sl_add(&created, first);
}

/* A file produced by a guest program, as JSON to embed, or "null". */
static void embed_json(struct buf *rec, const char *path, const char *what)
{
	char *data;
	size_t len;
	if (read_file(path, 1 << 20, &data, &len) != 0) {
		if (errno != ENOENT)
			note("reading %s: %s", path, errno_name(errno));
		buf_puts(rec, "null");
		return;
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == ' ' || data[len - 1] == '\r'))
		len--;
	if (json_check_object(data, len) != 0 || memchr(data, '\n', len)) {
		char head[2 * 128 + 1];
		hex_encode((const unsigned char *)data, len < 128 ? len : 128, head);
		note("%s record is not one-line JSON (%zu bytes); hex of the first 128: %s", what, len, head);
		buf_puts(rec, "null");
	} else {
		buf_add(rec, data, len);
	}
	free(data);
}

static void json_errno_or_null(struct buf *b, int e)
{
	if (e)
		buf_json_str(b, errno_name(e));
	else
		buf_puts(b, "null");
}

static void run_case(char *line, int index)
{
	int64_t t0 = mono_ms();
	struct buf rec = { 0 };
	buf_free(&notes);

	char **f;
	size_t nf = split_keep(line, '\t', &f);
	const char *id = f[0];

	cleanup();

	buf_puts(&rec, "{\"id\": ");
	buf_json_str(&rec, id);
	buf_puts(&rec, ", \"release\": ");
	buf_json_str(&rec, release);

	if (nf != 6) {
		note("malformed case line: %zu fields, expected 6", nf);
		buf_puts(&rec, ", \"write\": null, \"crash\": null, \"status\": null, \"files\": [], "
			       "\"helper\": null, \"socket\": null, \"notes\": [");
		buf_add(&rec, notes.p, notes.len);
		buf_puts(&rec, "]}");
		emit(&rec);
		dprintf(STDOUT_FILENO, "runner: [%d] %s: malformed, skipped\n", index, id);
		buf_free(&rec);
		free(f);
		return;
	}
	const char *f_settings = f[1], *f_previous = f[2], *f_chunks = f[3], *f_crasher = f[4],
		   *f_setup = f[5];

	/* 1. Settings. */
	{
		static const char *const paths[3] = { "/proc/sys/kernel/core_uses_pid",
						      "/proc/sys/fs/suid_dumpable",
						      "/proc/sys/kernel/core_pipe_limit" };
		char *s = xstrdup(f_settings);
		char **v;
		size_t n = split_keep(s, ',', &v);
		if (strcmp(f_settings, "-") && n != 3)
			note("settings: %zu values, expected 3", n);
		for (size_t i = 0; i < n && i < 3 && strcmp(f_settings, "-"); i++) {
			long long x;
			if (!*v[i] || !strcmp(v[i], "-"))
				continue;
			if (parse_ll(v[i], INT_MIN, INT_MAX, &x) != 0) {
				note("settings: bad value %s", v[i]);
				continue;
			}
			char text[32];
			snprintf(text, sizeof text, "%lld", x);
			int e = write_sysctl(paths[i], text);
			if (e)
				note("settings: writing %s to %s: %s", text, paths[i], errno_name(e));
		}
		free(v);
		free(s);
	}

	/* 2. The previous value, then the chunks, then read back. */
	buf_puts(&rec, ", \"write\": {\"previous_return\": ");
	if (!strcmp(f_previous, "-")) {
		buf_puts(&rec, "null, \"previous_errno\": null");
	} else {
		unsigned char *prev;
		size_t plen;
		if (hex_decode(f_previous, strlen(f_previous), &prev, &plen) != 0) {
			note("previous: bad hex");
			buf_puts(&rec, "null, \"previous_errno\": null");
		} else {
			ssize_t w = -1;
			int e = 0;
			int fd = open(CORE_PATTERN, O_WRONLY | O_CLOEXEC);
			if (fd < 0) {
				e = errno;
			} else {
				w = write(fd, prev, plen);
				if (w < 0)
					e = errno;
				if (close(fd) != 0)
					note("previous: close: %s", errno_name(errno));
			}
			buf_printf(&rec, "%zd, \"previous_errno\": ", w);
			json_errno_or_null(&rec, e);
			free(prev);
		}
	}

	buf_puts(&rec, ", \"returns\": [");
	struct buf errnos = { 0 };
	if (strcmp(f_chunks, "-")) {
		char *s = xstrdup(f_chunks);
		char **v;
		size_t n = split_keep(s, ',', &v);
		unsigned char **data = xmalloc(n * sizeof *data);
		size_t *lens = xmalloc(n * sizeof *lens);
		int bad = 0;
		for (size_t i = 0; i < n; i++)
			if (hex_decode(v[i], strlen(v[i]), &data[i], &lens[i]) != 0)
				bad = 1;
		if (bad) {
			note("chunks: bad hex; nothing written");
		} else {
			int fd = open(CORE_PATTERN, O_WRONLY | O_CLOEXEC);
			int open_errno = fd < 0 ? errno : 0;
			if (fd < 0)
				note("chunks: open %s: %s", CORE_PATTERN, errno_name(open_errno));
			for (size_t i = 0; i < n; i++) {
				static const char empty[1];
				ssize_t w = -1;
				int e = open_errno;
				if (fd >= 0) {
					w = write(fd, lens[i] ? (const void *)data[i] : (const void *)empty,
						  lens[i]);
					e = w < 0 ? errno : 0;
				}
				buf_printf(&rec, "%s%zd", i ? ", " : "", w);
				if (i)
					buf_puts(&errnos, ", ");
				json_errno_or_null(&errnos, e);
			}
			if (fd >= 0 && close(fd) != 0)
				note("chunks: close: %s", errno_name(errno));
		}
		for (size_t i = 0; i < n; i++)
			free(data[i]);
		free(data);
		free(lens);
		free(v);
		free(s);
	}
	buf_puts(&rec, "], \"errnos\": [");
	if (errnos.len)
		buf_add(&rec, errnos.p, errnos.len);
	buf_free(&errnos);
	buf_puts(&rec, "]");

	char stored[4097];
	ssize_t stored_len = -1;
	{
		int e = 0;
		int fd = open(CORE_PATTERN, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
		} else {
			size_t got = 0;
			for (;;) {
				ssize_t r = read(fd, stored + got, 4096 - got);
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0) {
					e = errno;
					break;
				}
				if (r == 0)
					break;
				got += (size_t)r;
				if (got == 4096)
					break;
			}
			close(fd);
			if (!e) {
				if (got && stored[got - 1] == '\n')
					got--;
				stored_len = (ssize_t)got;
			}
		}
		buf_puts(&rec, ", \"stored\": ");
		if (stored_len >= 0)
			buf_json_hex(&rec, stored, (size_t)stored_len);
		else
			buf_puts(&rec, "null");
		buf_puts(&rec, ", \"read_errno\": ");
		json_errno_or_null(&rec, stored_len >= 0 ? 0 : e);
		buf_puts(&rec, "}");
	}

	/* 3. Setup. */
	struct strlist roots = { 0 };
	sl_add(&roots, xstrdup(CORES));
	sl_add(&roots, xstrdup(WDIR));
	long wait_ms = DEFAULT_WAIT_MS;
	char *sock_path = NULL;
	char ack[32] = "1";
	int setup_ok = 1;
	{
		struct kv *kv;
		size_t n;
		if (split_kv(f_setup, &kv, &n) != 0)
			note("setup: an element without '='");
		for (size_t i = 0; i < n; i++) {
			long long x;
			if (!strcmp(kv[i].key, "mkdir")) {
				char *p = hex_decode_cstr(kv[i].val);
				if (!p || !*p) {
					note("setup: bad mkdir value");
					setup_ok = 0;
				} else {
					char *first;
					if (mkdir_p(p, 01777, &first) != 0)
						note("setup: mkdir %s: %s", hexs(p), errno_name(errno));
					track_created(first, 1, &roots);
				}
				free(p);
			} else if (!strcmp(kv[i].key, "sock")) {
				free(sock_path);
				sock_path = hex_decode_cstr(kv[i].val);
				if (!sock_path || !*sock_path) {
					note("setup: bad sock value");
					free(sock_path);
					sock_path = NULL;
					setup_ok = 0;
				}
			} else if (!strcmp(kv[i].key, "ack")) {
				unsigned long long a;
				if (parse_ull(kv[i].val, &a) != 0)
					note("setup: bad ack value");
				else
					snprintf(ack, sizeof ack, "%llu", a);
			} else if (!strcmp(kv[i].key, "wait")) {
				if (parse_ll(kv[i].val, 0, 60000, &x) != 0)
					note("setup: bad wait value");
				else
					wait_ms = (long)x;
			} else {
				note("setup: unknown key %s", kv[i].key);
			}
		}
		free_kv(kv, n);
	}

	/* The crasher's options the runner needs. */
	char *exe = NULL, *argv0 = NULL, *cwd = NULL;
	{
		struct kv *kv;
		size_t n;
		if (split_kv(f_crasher, &kv, &n) != 0)
			note("crasher: an element without '='");
		for (size_t i = 0; i < n; i++) {
			char **dst = !strcmp(kv[i].key, "exe")	 ? &exe :
				     !strcmp(kv[i].key, "argv0") ? &argv0 :
				     !strcmp(kv[i].key, "cwd")	 ? &cwd :
								   NULL;
			if (!dst)
				continue;
			free(*dst);
			*dst = hex_decode_cstr(kv[i].val);
			if (!*dst || (dst != &argv0 && !**dst)) {
				note("crasher: bad %s value", kv[i].key);
				free(*dst);
				*dst = NULL;
				setup_ok = 0;
			}
		}
		free_kv(kv, n);
	}
	if (!exe)
		exe = xstrdup(DEFAULT_EXE);
	if (!argv0)
		argv0 = xstrdup(exe);
	if (!cwd)
		cwd = xstrdup(WDIR);
	{
		char *first;
		if (mkdir_p(cwd, 01777, &first) != 0)
			note("cwd %s: %s", hexs(cwd), errno_name(errno));
		track_created(first, 1, &roots);
	}

	/* The executable copy. */
	have_exe_ino = 0;
	if (setup_ok) {
		struct stat st, orig;
		if (lstat(exe, &st) == 0) {
			if (stat(CRASHER_BIN, &orig) != 0 || st.st_dev != orig.st_dev || st.st_ino != orig.st_ino) {
				note("exe %s exists and is not the crasher; not overwritten", hexs(exe));
				setup_ok = 0;
			}
		} else if (!crasher_bin) {
			note("cannot read %s: %s", CRASHER_BIN, errno_name(crasher_bin_errno));
			setup_ok = 0;
		} else {
			char *dir = xstrdup(exe), *slash = strrchr(dir, '/');
			if (slash && slash != dir) {
				*slash = '\0';
				char *first;
				if (mkdir_p(dir, 0755, &first) != 0)
					note("exe directory %s: %s", hexs(dir), errno_name(errno));
				track_created(first, 0, &roots);
			}
			free(dir);
			int fd = open(exe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0755);
			if (fd < 0) {
				note("creating exe %s: %s", hexs(exe), errno_name(errno));
				setup_ok = 0;
			} else {
				sl_add(&created, xstrdup(exe));
				struct stat xs;
				if (fstat(fd, &xs) == 0) {
					exe_dev = xs.st_dev;
					exe_ino = xs.st_ino;
					have_exe_ino = 1;
				}
				if (write_all(fd, crasher_bin, crasher_len) != 0 || fchmod(fd, 0755) != 0) {
					note("writing exe %s: %s", hexs(exe), errno_name(errno));
					setup_ok = 0;
				}
				if (close(fd) != 0) {
					note("closing exe %s: %s", hexs(exe), errno_name(errno));
					setup_ok = 0;
				}
			}
		}
	}

	/* The socket server. */
	memset(&ch_sock, 0, sizeof ch_sock);
	if (sock_path) {
		if (unlink(sock_path) != 0 && errno != ENOENT)
			note("unlink old socket %s: %s", hexs(sock_path), errno_name(errno));
		char *dir = xstrdup(sock_path), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			char *first;
			if (mkdir_p(dir, 0755, &first) != 0)
				note("socket directory %s: %s", hexs(dir), errno_name(errno));
			track_created(first, 0, &roots);
		}
		free(dir);
		sl_add(&created, xstrdup(sock_path));
		char *args[] = { (char *)"sockserv", sock_path, (char *)SOCK_JSON, ack, NULL };
		ch_sock.pid = spawn(SOCKSERV_BIN, args);
		if (ch_sock.pid < 0) {
			note("fork sockserv: %s", errno_name(errno));
			ch_sock.pid = 0;
		} else {
			int64_t deadline = mono_ms() + 2000;
			int ready = 0;
			while (!ready && mono_ms() < deadline) {
				struct stat st;
				if (lstat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
				    (st.st_mode & 07777) == 0777)
					ready = 1;
				else {
					reap();
					if (ch_sock.done)
						break;
					sleep_ms(5);
				}
			}
			if (!ready)
				note("socket server not ready%s", ch_sock.done ? " (it exited)" : " after 2 s");
		}
	}

	/* 4. The crash. */
	memset(&ch_crasher, 0, sizeof ch_crasher);
	int timed_out = 0;
	if (setup_ok) {
		char *opts = xstrdup(f_crasher);
		char *args[] = { argv0, opts, NULL };
		ch_crasher.pid = spawn(exe, args);
		if (ch_crasher.pid < 0) {
			note("fork crasher: %s", errno_name(errno));
			ch_crasher.pid = 0;
		} else if (!wait_for(&ch_crasher, CRASHER_TIMEOUT_MS)) {
			timed_out = 1;
			note("crasher timed out after %d ms; killed", CRASHER_TIMEOUT_MS);
			if (kill(ch_crasher.pid, SIGKILL) != 0)
				note("kill crasher: %s", errno_name(errno));
			if (!wait_for(&ch_crasher, 3000))
				note("crasher did not die after SIGKILL");
		}
		free(opts);
	} else {
		note("setup failed; the crasher was not run");
	}
	if (ch_crasher.stopped)
		note("crasher was stopped by signal %d; sent SIGCONT", ch_crasher.stopped);

	/* 5. Wait for the helper / the socket server. */
	if (stored_len > 0 && stored[0] == '|' && ch_crasher.pid) {
		int64_t deadline = mono_ms() + wait_ms;
		struct stat st;
		while (stat(HELPER_JSON, &st) != 0 && mono_ms() < deadline) {
			reap();
			sleep_ms(10);
		}
	}
	if (ch_sock.pid) {
		if (!wait_for(&ch_sock, wait_ms)) {
			if (kill(ch_sock.pid, SIGTERM) != 0)
				note("SIGTERM sockserv: %s", errno_name(errno));
			if (!wait_for(&ch_sock, 1000)) {
				note("sockserv ignored SIGTERM; killed");
				if (kill(ch_sock.pid, SIGKILL) != 0)
					note("SIGKILL sockserv: %s", errno_name(errno));
				if (!wait_for(&ch_sock, 3000))
					note("sockserv did not die after SIGKILL");
			}
		}
		if (ch_sock.done && !(WIFEXITED(ch_sock.status) && WEXITSTATUS(ch_sock.status) == 0))
			note("sockserv ended with status 0x%x", (unsigned)ch_sock.status);
	}
	reap();

	/* 6. Files. */
	struct strlist files = { 0 };
	for (size_t i = 0; i < roots.n; i++)
		list_files(roots.v[i], &files, 0);
	if (files.n > 1) /* qsort wants a valid pointer even for 0 elements */
		qsort(files.v, files.n, sizeof *files.v, cmp_str);

	/* 7. The record. */
	buf_puts(&rec, ", \"crash\": ");
	embed_json(&rec, CRASH_JSON, "crash");
	buf_puts(&rec, ", \"status\": ");
	if (ch_crasher.pid && ch_crasher.done) {
		int st = ch_crasher.status;
		buf_printf(&rec, "{\"exited\": %s, \"code\": %d, \"signal\": %d, \"core_flag\": %s}",
			   WIFEXITED(st) ? "true" : "false", WIFEXITED(st) ? WEXITSTATUS(st) : 0,
			   WIFSIGNALED(st) ? WTERMSIG(st) : 0,
			   WIFSIGNALED(st) && WCOREDUMP(st) ? "true" : "false");
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 77)
			note("crasher exited with code %d", WEXITSTATUS(st));
	} else {
		buf_puts(&rec, "null");
	}
	buf_puts(&rec, ", \"files\": [");
	for (size_t i = 0; i < files.n; i++) {
		if (i)
			buf_puts(&rec, ", ");
		buf_json_hex_str(&rec, files.v[i]);
	}
	buf_puts(&rec, "], \"helper\": ");
	embed_json(&rec, HELPER_JSON, "helper");
	buf_puts(&rec, ", \"socket\": ");
	if (ch_sock.pid)
		embed_json(&rec, SOCK_JSON, "socket");
	else
		buf_puts(&rec, "null");
	buf_puts(&rec, ", \"notes\": [");
	if (notes.len)
		buf_add(&rec, notes.p, notes.len);
	buf_puts(&rec, "]}");
	emit(&rec);

	/* Progress on the console. */
	{
		char st[64] = "not run";
		if (ch_crasher.pid && ch_crasher.done) {
			int s = ch_crasher.status;
			if (WIFSIGNALED(s))
				snprintf(st, sizeof st, "signal %d%s", WTERMSIG(s), WCOREDUMP(s) ? " core" : "");
			else
				snprintf(st, sizeof st, "exit %d", WEXITSTATUS(s));
		} else if (timed_out) {
			snprintf(st, sizeof st, "timeout");
		}
		struct stat sb;
		dprintf(STDOUT_FILENO, "runner: [%d] %s: %s, files %zu, helper %s, socket %s, %lld ms\n", index,
			id, st, files.n, stat(HELPER_JSON, &sb) == 0 ? "yes" : "no",
			!ch_sock.pid ? "-" : stat(SOCK_JSON, &sb) == 0 ? "record" : "none",
			(long long)(mono_ms() - t0));
	}

	sl_clear(&files);
	sl_clear(&roots);
	free(sock_path);
	free(exe);
	free(argv0);
	free(cwd);
	buf_free(&rec);
	free(f);
}

/* ------------------------------------------------------------------ */

static __attribute__((noreturn)) void finish(int done, const char *error, int pid1)
{
	struct buf rec = { 0 };
	buf_printf(&rec, "{\"done\": %d, \"release\": ", done);
	buf_json_str(&rec, release);
	if (error) {
		buf_puts(&rec, ", \"error\": ");
		buf_json_str(&rec, error);
	}
	buf_puts(&rec, "}");
	emit(&rec);
	buf_free(&rec);
	dprintf(STDOUT_FILENO, "runner: done, %d cases\n", done);
	drain(rec_fd);
	sleep_ms(200);
	sync();
	if (!pid1)
		exit(error ? 1 : 0);
	if (reboot(RB_POWER_OFF) != 0)
		logmsg(PROG, "reboot: %s", errno_name(errno));
	for (;;) /* PID 1 must not exit */
		pause();
}

int main(int argc, char **argv)
{
	int pid1 = getpid() == 1;
	const char *allow = getenv("RUNNER_ALLOW_NOT_PID1");
	if (!pid1 && !(allow && !strcmp(allow, "1"))) {
		logmsg(PROG, "refusing to run: not PID 1 (this program rewrites kernel sysctls; "
			     "it belongs inside the test VM)");
		return 2;
	}

	/* Default dispositions and no blocked signals: an ignored SIGCHLD
	 * inherited from /init would make the kernel reap our children. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)sigaction(s, &sa, NULL); /* EINVAL for glibc's RT signals */
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		logmsg(PROG, "sigprocmask: %s", errno_name(errno));

	ensure_mount("proc", "/proc", "proc", NULL);
	ensure_mount("sysfs", "/sys", "sysfs", NULL);
	ensure_mount("devtmpfs", "/dev", "devtmpfs", NULL);
	ensure_mount("tmpfs", "/tmp", "tmpfs", "mode=1777");
	ensure_std_fds();
	if (chmod("/tmp", 01777) != 0)
		logmsg(PROG, "chmod /tmp: %s", errno_name(errno));
	umask(022);
	if (chdir("/") != 0)
		logmsg(PROG, "chdir /: %s", errno_name(errno));

	/* The crasher inherits RLIMIT_CORE: default to unlimited (the kernel
	 * starts init with a soft limit of 0). */
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		logmsg(PROG, "setrlimit(RLIMIT_CORE): %s", errno_name(errno));

	struct utsname u;
	if (uname(&u) == 0)
		snprintf(release, sizeof release, "%s", u.release);

	if (argc > 2)
		open_record(argv[2]);

	if (read_file(CRASHER_BIN, 64u << 20, &crasher_bin, &crasher_len) != 0) {
		crasher_bin_errno = errno;
		crasher_bin = NULL;
		logmsg(PROG, "reading %s: %s", CRASHER_BIN, errno_name(errno));
	}

	if (argc < 2) {
		logmsg(PROG, "usage: runner CASES.TSV [RECORD-DEVICE]");
		finish(0, "usage: runner CASES.TSV [RECORD-DEVICE]", pid1);
	}
	char *cases;
	size_t clen;
	if (read_file(argv[1], 64u << 20, &cases, &clen) != 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "cannot read %s: %s", argv[1], errno_name(errno));
		logmsg(PROG, "%s", msg);
		finish(0, msg, pid1);
	}
	if (memchr(cases, '\0', clen))
		logmsg(PROG, "the case file holds a NUL byte; reading up to it");

	int done = 0;
	char *save = NULL;
	for (char *line = strtok_r(cases, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		run_case(line, done + 1);
		done++;
	}
	cleanup();
	free(cases);
	finish(done, NULL, pid1);
}
