/*
 * Shared helpers of the guest programs (runner, crasher, helper, sockserv).
 *
 * Everything here is `static inline`, so a program that does not use a
 * helper gets no "unused function" warning. Only libc and Linux headers.
 *
 * Conventions: byte strings travel as lowercase hex without a prefix; a
 * growable buffer (`struct buf`) builds JSON text; allocation failure is
 * fatal (these programs are tiny and run in a VM with plenty of memory).
 */
#ifndef GUEST_COMMON_H
#define GUEST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Small utilities                                                     */

/* Print to stderr, prefixed with the program name; never fails. */
static inline void logmsg(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void logmsg(const char *prog, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof line, "%s: ", prog);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t r = write(STDERR_FILENO, line, len);
	(void)r; /* nothing sensible to do when the console is gone */
}

static inline void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		logmsg("guest", "out of memory (%zu bytes)", n);
		_exit(120);
	}
	return p;
}

static inline void *xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);
	if (!p) {
		logmsg("guest", "out of memory (%zu bytes)", n);
		_exit(120);
	}
	return p;
}

static inline char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

/* Milliseconds of CLOCK_MONOTONIC. */
static inline int64_t mono_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The symbolic name of an errno value ("EINVAL"), or "E<number>". */
static inline const char *errno_name(int e)
{
	static char other[24];
	switch (e) {
#define E(x) case x: return #x
	E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG);
	E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM); E(EACCES);
	E(EFAULT); E(EBUSY); E(EEXIST); E(EXDEV); E(ENODEV); E(ENOTDIR);
	E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ETXTBSY);
	E(EFBIG); E(ENOSPC); E(ESPIPE); E(EROFS); E(EMLINK); E(EPIPE);
	E(EDOM); E(ERANGE); E(EDEADLK); E(ENAMETOOLONG); E(ENOLCK); E(ENOSYS);
	E(ENOTEMPTY); E(ELOOP); E(ENOMSG); E(EIDRM); E(ENODATA); E(ETIME);
	E(EOVERFLOW); E(EILSEQ); E(EUSERS); E(ENOTSOCK); E(EDESTADDRREQ);
	E(EMSGSIZE); E(EPROTOTYPE); E(ENOPROTOOPT); E(EPROTONOSUPPORT);
	E(EOPNOTSUPP); E(EAFNOSUPPORT); E(EADDRINUSE); E(EADDRNOTAVAIL);
	E(ENETDOWN); E(ENETUNREACH); E(ECONNABORTED); E(ECONNRESET);
	E(ENOBUFS); E(EISCONN); E(ENOTCONN); E(ETIMEDOUT); E(ECONNREFUSED);
	E(EHOSTUNREACH); E(EALREADY); E(EINPROGRESS); E(ESTALE); E(EDQUOT);
	E(ECANCELED); E(EOWNERDEAD); E(ENOTRECOVERABLE); E(ERFKILL);
	E(EHWPOISON); E(ENOMEDIUM); E(EMEDIUMTYPE); E(ENOKEY); E(EKEYEXPIRED);
	E(EKEYREVOKED); E(EKEYREJECTED); E(EBADMSG); E(EPROTO); E(ENOLINK);
	E(ENOSTR); E(ENOSR); E(EREMOTEIO); E(EBADFD); E(ENOTUNIQ);
#undef E
	default:
		snprintf(other, sizeof other, "E%d", e);
		return other;
	}
}

/* ------------------------------------------------------------------ */
/* Hex                                                                 */

static const char hex_digits[] = "0123456789abcdef";

/* Write 2*len hex digits and a NUL to out (which holds 2*len+1 bytes). */
static inline void hex_encode(const unsigned char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static inline int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode `len` hex digits of `in` into a fresh buffer (NUL-terminated for
 * convenience, the NUL is not counted). Returns 0, or -1 on odd length or a
 * bad digit (then *out is NULL).
 */
static inline int hex_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (len % 2)
		return -1;
	unsigned char *p = xmalloc(len / 2 + 1);
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_val((unsigned char)in[2 * i]);
		int lo = hex_val((unsigned char)in[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(p);
			return -1;
		}
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	p[len / 2] = '\0';
	*out = p;
	*outlen = len / 2;
	return 0;
}

/* Like hex_decode, for a C string; also fails if the bytes contain a NUL
 * (so the result is usable as a path or argument). */
static inline char *hex_decode_cstr(const char *in)
{
	unsigned char *p;
	size_t n;
	if (hex_decode(in, strlen(in), &p, &n) != 0)
		return NULL;
	if (memchr(p, '\0', n)) {
		free(p);
		return NULL;
	}
	return (char *)p;
}

/* ------------------------------------------------------------------ */
/* Growable buffer and JSON output                                     */

struct buf {
	char *p;
	size_t len, cap;
};

static inline void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static inline void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	buf_reserve(b, 128);
	size_t avail = b->cap - b->len;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, avail, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= avail) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->p[b->len] = '\0';
			return;
		}
	}
	b->len += (size_t)n;
}

static inline void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* A JSON string holding the hex of the bytes: "2f746d70". */
static inline void buf_json_hex(struct buf *b, const void *data, size_t n)
{
	const unsigned char *in = data;
	buf_reserve(b, 2 * n + 2);
	b->p[b->len++] = '"';
	hex_encode(in, n, b->p + b->len);
	b->len += 2 * n;
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

/* Hex of a C string, or null for NULL. */
static inline void buf_json_hex_str(struct buf *b, const char *s)
{
	if (!s)
		buf_puts(b, "null");
	else
		buf_json_hex(b, s, strlen(s));
}

/* A JSON string of text (ids, notes). Bytes outside printable ASCII are
 * escaped as \u00XX, so the output is always valid ASCII JSON. */
static inline void buf_json_str_n(struct buf *b, const char *s, size_t n)
{
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(b, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_add(b, &s[i], 1);
		}
	}
	buf_add(b, "\"", 1);
}

static inline void buf_json_str(struct buf *b, const char *s)
{
	if (!s)
		buf_puts(b, "null");
	else
		buf_json_str_n(b, s, strlen(s));
}

/* ------------------------------------------------------------------ */
/* A small JSON syntax check, used before embedding another program's   */
/* output verbatim in a record.                                         */

struct json_cur {
	const char *p, *end;
	int depth;
};

static inline void json_ws(struct json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline int json_lit(struct json_cur *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static inline int json_string(struct json_cur *c)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	c->p++;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;
		if (ch == '"')
			return 0;
		if (ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (c->p >= c->end)
				return -1;
			char e = *c->p++;
			if (e == 'u') {
				for (int i = 0; i < 4; i++)
					if (c->p >= c->end || hex_val((unsigned char)*c->p++) < 0)
						return -1;
			} else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
				return -1;
			}
		}
	}
	return -1;
}

static inline int json_number(struct json_cur *c)
{
	const char *start = c->p;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	int digits = 0;
	while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') || *c->p == '.' ||
				 *c->p == 'e' || *c->p == 'E' || *c->p == '+' || *c->p == '-')) {
		if (*c->p >= '0' && *c->p <= '9')
			digits++;
		c->p++;
	}
	return digits && c->p > start ? 0 : -1;
}

static inline int json_value(struct json_cur *c)
{
	json_ws(c);
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '{':
	case '[': {
		char close = *c->p == '{' ? '}' : ']';
		int object = *c->p == '{';
		if (++c->depth > 32)
			return -1;
		c->p++;
		json_ws(c);
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return 0;
		}
		for (;;) {
			if (object) {
				json_ws(c);
				if (json_string(c) != 0)
					return -1;
				json_ws(c);
				if (c->p >= c->end || *c->p != ':')
					return -1;
				c->p++;
			}
			if (json_value(c) != 0)
				return -1;
			json_ws(c);
			if (c->p < c->end && *c->p == ',') {
				c->p++;
				continue;
			}
			if (c->p < c->end && *c->p == close) {
				c->p++;
				c->depth--;
				return 0;
			}
			return -1;
		}
	}
	case '"':
		return json_string(c);
	case 't':
		return json_lit(c, "true");
	case 'f':
		return json_lit(c, "false");
	case 'n':
		return json_lit(c, "null");
	default:
		return json_number(c);
	}
}

/* 0 if data[0..n) is exactly one JSON object (surrounding whitespace ok)
 * with no raw newline inside strings. */
static inline int json_check_object(const char *data, size_t n)
{
	struct json_cur c = { data, data + n, 0 };
	json_ws(&c);
	if (c.p >= c.end || *c.p != '{')
		return -1;
	if (json_value(&c) != 0)
		return -1;
	json_ws(&c);
	return c.p == c.end ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* File helpers                                                        */

/* Write all of data, retrying on EINTR and short writes; waits (poll, up
 * to timeout_ms in total, -1 = forever) when the fd is non-blocking and
 * full. Returns 0 or -1 with errno set. */
static inline int write_all_timeout(int fd, const void *data, size_t n, int timeout_ms)
{
	const char *p = data;
	int64_t deadline = timeout_ms < 0 ? 0 : mono_ms() + timeout_ms;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			int left = -1;
			if (timeout_ms >= 0) {
				int64_t l = deadline - mono_ms();
				if (l <= 0) {
					errno = ETIMEDOUT;
					return -1;
				}
				left = (int)l;
			}
			struct pollfd pfd = { fd, POLLOUT, 0 };
			if (poll(&pfd, 1, left) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (w == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

static inline int write_all(int fd, const void *data, size_t n)
{
	return write_all_timeout(fd, data, n, 5000);
}

/*
 * Read a whole (small) file into a fresh NUL-terminated buffer, at most
 * `max` bytes. Returns 0 or -1 with errno set.
 */
static inline int read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	size_t cap = 4096 < max ? 4096 : max, len = 0;
	char *p = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max)
				break;
			cap = cap * 2 < max ? cap * 2 : max;
			p = xrealloc(p, cap + 1);
		}
		ssize_t r = read(fd, p + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(p);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return 0;
}

/*
 * Replace `path` atomically with data: write `path.tmp.<pid>`, fchmod,
 * rename. Returns 0 or -1 with errno set.
 */
static inline int write_file_atomic(const char *path, const void *data, size_t n, mode_t mode)
{
	char tmp[PATH_MAX];
	int k = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if (k < 0 || (size_t)k >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) != 0 || write_all(fd, data, n) != 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * mkdir -p with `mode` (applied with chmod to every directory this call
 * creates, so the umask does not matter). If `first_created` is not NULL it
 * receives a malloc'd copy of the topmost directory created (NULL when
 * nothing was created). Returns 0 or -1 with errno set.
 */
static inline int mkdir_p(const char *path, mode_t mode, char **first_created)
{
	if (first_created)
		*first_created = NULL;
	size_t n = strlen(path);
	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	char *p = xstrdup(path);
	int rc = 0;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (i < n && p[i - 1] == '/')
			continue; /* "//" */
		char save = p[i];
		p[i] = '\0';
		if (mkdir(p, mode) == 0) {
			if (chmod(p, mode) != 0) {
				rc = -1;
				p[i] = save;
				break;
			}
			if (first_created && !*first_created)
				*first_created = xstrdup(p);
		} else if (errno == EEXIST) {
			struct stat st;
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				rc = -1;
				p[i] = save;
				break;
			}
		} else {
			rc = -1;
			p[i] = save;
			break;
		}
		p[i] = save;
	}
	int e = errno;
	free(p);
	errno = e;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */

/* Parse a whole decimal string into [min, max]. Returns 0 or -1. */
static inline int parse_ll(const char *s, long long min, long long max, long long *out)
{
	if (!s || !*s)
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static inline int parse_ull(const char *s, unsigned long long *out)
{
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Little-endian loads and stores (the coredump socket structs are in host
 * order; the guests are x86-64). */
static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static inline void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

#endif /* GUEST_COMMON_H */
