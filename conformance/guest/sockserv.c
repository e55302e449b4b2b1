/*
 * sockserv: an AF_UNIX coredump socket server for `@PATH` and `@@PATH`.
 *
 *   sockserv PATH RECORDFILE [ACKMASK]
 *
 * Binds PATH (after unlinking it), listens, and makes the socket mode 0777
 * only once it listens: the runner waits for that mode, so a client never
 * sees a socket that refuses connections. It accepts one connection
 * within 5 s. If the first 4 bytes are a little-endian u32 in [16, 4096]
 * (a `struct coredump_req` size; an ELF core starts with 0x7f 'E' 'L' 'F'
 * instead), it speaks the `@@` protocol: reads the request, answers with a
 * `struct coredump_ack` {16, 0, ACKMASK} (default 1 = COREDUMP_KERNEL), and
 * reads the kernel's u32 mark. Then it reads to EOF, counting bytes, closes,
 * and writes RECORDFILE (temp + rename):
 *
 *   {"connected": true, "peer_pid": N, "peer_uid": N, "peer_gid": N,
 *    "request": {"size": N, "size_ack": N, "mask": N} | null,
 *    "ack": N | null, "mark": N | null, "bytes": N, "elf": bool, "eof": bool}
 *
 * or {"connected": false} when nobody connected. `bytes` counts what came
 * after the request protocol (all of it for plain `@`); `eof` is false when
 * it stopped early (SIGTERM, a 5 s idle timeout, an error). On SIGTERM it
 * writes what it has and exits.
 */
#include "common.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#define PROG "sockserv"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct state {
	int connected;
	int have_cred;
	struct ucred cred;
	int have_req;
	uint32_t req_size, req_size_ack;
	uint64_t req_mask;
	int have_ack;
	uint64_t ack;
	int have_mark;
	uint32_t mark;
	unsigned long long bytes;
	unsigned char head[4];
	int eof;
};

static const char *record_path;
static struct state s;

static void write_record(void)
{
	struct buf j = { 0 };
	if (!s.connected) {
		buf_puts(&j, "{\"connected\": false}\n");
	} else {
		buf_puts(&j, "{\"connected\": true, \"peer_pid\": ");
		if (s.have_cred)
			buf_printf(&j, "%ld, \"peer_uid\": %lu, \"peer_gid\": %lu", (long)s.cred.pid,
				   (unsigned long)s.cred.uid, (unsigned long)s.cred.gid);
		else
			buf_puts(&j, "null, \"peer_uid\": null, \"peer_gid\": null");
		buf_puts(&j, ", \"request\": ");
		if (s.have_req)
			buf_printf(&j, "{\"size\": %lu, \"size_ack\": %lu, \"mask\": %llu}",
				   (unsigned long)s.req_size, (unsigned long)s.req_size_ack,
				   (unsigned long long)s.req_mask);
		else
			buf_puts(&j, "null");
		buf_puts(&j, ", \"ack\": ");
		if (s.have_ack)
			buf_printf(&j, "%llu", (unsigned long long)s.ack);
		else
			buf_puts(&j, "null");
		buf_puts(&j, ", \"mark\": ");
		if (s.have_mark)
			buf_printf(&j, "%lu", (unsigned long)s.mark);
		else
			buf_puts(&j, "null");
		buf_printf(&j, ", \"bytes\": %llu, \"elf\": %s, \"eof\": %s}\n", s.bytes,
			   s.bytes >= 4 && !memcmp(s.head, "\x7f" "ELF", 4) ? "true" : "false",
			   s.eof ? "true" : "false");
	}
	if (write_file_atomic(record_path, j.p, j.len, 0644) != 0)
		logmsg(PROG, "writing %s: %s", record_path, errno_name(errno));
	buf_free(&j);
}

/* Wait until fd is readable. 1 ready, 0 timeout/stop, -1 error. */
static int wait_readable(int fd, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		if (stop)
			return 0;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { fd, POLLIN, 0 };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r > 0)
			return 1;
	}
}

/* Read exactly n bytes (5 s idle timeout). 1 done, 0 EOF/timeout, -1 error. */
static int read_exact(int fd, void *dst, size_t n)
{
	unsigned char *p = dst;
	while (n > 0) {
		int w = wait_readable(fd, 5000);
		if (w <= 0)
			return w;
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* Peek up to 4 bytes; returns how many are available (4 unless EOF came
 * first), or -1. */
static int peek4(int fd, unsigned char out[4])
{
	int64_t deadline = mono_ms() + 5000;
	for (;;) {
		int w = wait_readable(fd, 5000);
		if (w < 0)
			return -1;
		if (w == 0)
			return 0;
		ssize_t r = recv(fd, out, 4, MSG_PEEK | MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || r == 4)
			return (int)r;
		/* A partial message: wait for the rest. */
		if (mono_ms() > deadline)
			return (int)r;
		sleep_ms(1);
	}
}

static int serve(int c, uint64_t ackmask)
{
	socklen_t len = sizeof s.cred;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &s.cred, &len) == 0)
		s.have_cred = 1;
	else
		logmsg(PROG, "SO_PEERCRED: %s", errno_name(errno));

	unsigned char first[4];
	int n = peek4(c, first);
	if (n < 0) {
		logmsg(PROG, "peek: %s", errno_name(errno));
		return -1;
	}
	if (n == 4) {
		uint32_t size = le32(first);
		if (size >= 16 && size <= 4096) {
			unsigned char req[4096];
			int r = read_exact(c, req, size);
			if (r <= 0) {
				logmsg(PROG, "reading the request: %s", r < 0 ? errno_name(errno) : "EOF/timeout");
				return -1;
			}
			s.have_req = 1;
			s.req_size = le32(req);
			s.req_size_ack = le32(req + 4);
			s.req_mask = le64(req + 8);

			unsigned char ack[16];
			put_le32(ack, 16);
			put_le32(ack + 4, 0);
			put_le64(ack + 8, ackmask);
			if (write_all(c, ack, sizeof ack) != 0) {
				logmsg(PROG, "sending the ack: %s", errno_name(errno));
				return -1;
			}
			s.have_ack = 1;
			s.ack = ackmask;

			unsigned char mark[4];
			r = read_exact(c, mark, 4);
			if (r <= 0) {
				logmsg(PROG, "reading the mark: %s", r < 0 ? errno_name(errno) : "EOF/timeout");
				if (r == 0 && !stop)
					s.eof = 1;
				return -1;
			}
			s.have_mark = 1;
			s.mark = le32(mark);
		}
	}

	static unsigned char chunk[65536];
	for (;;) {
		int w = wait_readable(c, 5000);
		if (w < 0) {
			logmsg(PROG, "poll: %s", errno_name(errno));
			return -1;
		}
		if (w == 0) {
			logmsg(PROG, stop ? "stopped while reading" : "idle for 5 s while reading");
			return -1;
		}
		ssize_t r = recv(c, chunk, sizeof chunk, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			logmsg(PROG, "recv: %s", errno_name(errno));
			return -1;
		}
		if (r == 0) {
			s.eof = 1;
			return 0;
		}
		for (ssize_t i = 0; i < r && s.bytes + (unsigned long long)i < 4; i++)
			s.head[s.bytes + (unsigned long long)i] = chunk[i];
		s.bytes += (unsigned long long)r;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		logmsg(PROG, "usage: sockserv PATH RECORDFILE [ACKMASK]");
		return 2;
	}
	const char *path = argv[1];
	record_path = argv[2];
	unsigned long long ackmask = 1;
	if (argc == 4 && parse_ull(argv[3], &ackmask) != 0) {
		logmsg(PROG, "bad ACKMASK %s", argv[3]);
		return 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		logmsg(PROG, "sigaction: %s", errno_name(errno));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		logmsg(PROG, "sigaction: %s", errno_name(errno));

	struct sockaddr_un addr;
	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	size_t plen = strlen(path);
	if (plen == 0 || plen >= sizeof addr.sun_path) {
		logmsg(PROG, "path too long or empty (%zu bytes)", plen);
		return 2;
	}
	memcpy(addr.sun_path, path, plen);

	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0) {
		logmsg(PROG, "socket: %s", errno_name(errno));
		return 1;
	}
	if (unlink(path) != 0 && errno != ENOENT)
		logmsg(PROG, "unlink %s: %s", path, errno_name(errno));
	mode_t old = umask(077); /* not connectable-looking until it listens */
	if (bind(l, (struct sockaddr *)&addr,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1)) != 0) {
		logmsg(PROG, "bind %s: %s", path, errno_name(errno));
		return 1;
	}
	umask(old);
	if (listen(l, 16) != 0) {
		logmsg(PROG, "listen: %s", errno_name(errno));
		return 1;
	}
	if (chmod(path, 0777) != 0) {
		logmsg(PROG, "chmod %s: %s", path, errno_name(errno));
		return 1;
	}

	int w = wait_readable(l, 5000);
	if (w <= 0) {
		if (w < 0)
			logmsg(PROG, "poll: %s", errno_name(errno));
		write_record();
		return 0;
	}
	int c;
	for (;;) {
		c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 && errno == EINTR && !stop)
			continue;
		break;
	}
	if (c < 0) {
		logmsg(PROG, "accept: %s", errno_name(errno));
		write_record();
		return 0;
	}
	s.connected = 1;
	close(l);
	serve(c, ackmask);
	if (close(c) != 0)
		logmsg(PROG, "close: %s", errno_name(errno));
	write_record();
	return 0;
}
