/*
 * helper: the pipe helper (`|/bin/helper ...`), run by the kernel as a
 * usermode helper with the core on stdin, no environment, cwd /, and fds
 * 1 and 2 usually closed.
 *
 * It records, after reading stdin to EOF, to /tmp/helper.json (temp file +
 * rename, mode 0644):
 *   {"argv": ["<hex>", ...], "fd3": "<hex of readlink /proc/self/fd/3>" | null,
 *    "stdin_bytes": N, "stdin_eof": true|false, "stdin_elf": true|false,
 *    "uid": N, "cwd": "<hex>" | null, "env": ["<hex KEY=VALUE>", ...]}
 * (stdin_eof is false when reading stopped at the 10 s idle timeout or an
 * error; stdin_elf: the data began with "\x7fELF").
 */
#include "common.h"

#define PROG "helper"
#define OUT "/tmp/helper.json"

extern char **environ;

int main(int argc, char **argv)
{
	struct buf j = { 0 };

	/* fd 3 first, before any open() can take that number. */
	char fd3[PATH_MAX + 1];
	ssize_t fd3_len = readlink("/proc/self/fd/3", fd3, sizeof fd3 - 1);

	/* Make fds 1 and 2 safe to use (they are often closed). */
	for (int fd = 1; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR | O_NOCTTY);
			if (n >= 0 && n != fd) {
				if (dup2(n, fd) < 0)
					logmsg(PROG, "dup2: %s", errno_name(errno));
				close(n);
			}
		}
	}

	/* Read stdin to EOF, 10 s idle timeout. */
	unsigned long long total = 0;
	unsigned char head[4] = { 0 };
	int eof = 0;
	static unsigned char chunk[65536];
	for (;;) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		int r = poll(&p, 1, 10000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			logmsg(PROG, "poll: %s", errno_name(errno));
			break;
		}
		if (r == 0) {
			logmsg(PROG, "stdin idle for 10 s; giving up");
			break;
		}
		ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			logmsg(PROG, "read: %s", errno_name(errno));
			break;
		}
		if (n == 0) {
			eof = 1;
			break;
		}
		for (ssize_t i = 0; i < n && total + (unsigned long long)i < 4; i++)
			head[total + (unsigned long long)i] = chunk[i];
		total += (unsigned long long)n;
	}

	buf_puts(&j, "{\"argv\": [");
	for (int i = 0; i < argc; i++) {
		if (i)
			buf_puts(&j, ", ");
		buf_json_hex_str(&j, argv[i]);
	}
	buf_puts(&j, "], \"fd3\": ");
	if (fd3_len >= 0)
		buf_json_hex(&j, fd3, (size_t)fd3_len);
	else
		buf_puts(&j, "null");
	buf_printf(&j, ", \"stdin_bytes\": %llu, \"stdin_eof\": %s, \"stdin_elf\": %s, \"uid\": %lu, \"cwd\": ",
		   total, eof ? "true" : "false",
		   total >= 4 && !memcmp(head, "\x7f" "ELF", 4) ? "true" : "false",
		   (unsigned long)getuid());
	char cwd[PATH_MAX + 1];
	buf_json_hex_str(&j, getcwd(cwd, sizeof cwd));
	buf_puts(&j, ", \"env\": [");
	for (char **e = environ; e && *e; e++) {
		if (e != environ)
			buf_puts(&j, ", ");
		buf_json_hex_str(&j, *e);
	}
	buf_puts(&j, "]}\n");

	int rc = 0;
	if (write_file_atomic(OUT, j.p, j.len, 0644) != 0) {
		logmsg(PROG, "writing %s: %s", OUT, errno_name(errno));
		rc = 1;
	}
	buf_free(&j);
	return rc;
}
