/*
 * crasher: the process whose core dump the guest observes.
 *
 *   crasher OPTIONS
 *
 * OPTIONS is the crasher field of a case, verbatim: `-` or comma-separated
 * key=value (byte strings in hex): exe, argv0 (used by the runner only),
 * comm, thread, signal, rlimit, uid, gid, dumpable, pidns, uts, cwd,
 * delete_exe. See runner.c for their meaning.
 *
 * Right before dying, the crashing thread makes sure at least 200 ms of
 * the current wall-clock second remain (else it waits for the next one,
 * so that %t equals the recorded time), then writes
 * /tmp/crash.json (temp file + rename) with the facts the kernel will use,
 * and crashes at once.
 *
 * Exit codes when it does not die by a signal: 2 bad options, 3 a fatal
 * setup failure, 77 the signal did not kill it, 0 the parent of a PID
 * namespace after its child ended.
 */
#include "common.h"

#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define PROG "crasher"
#define CRASH_JSON "/tmp/crash.json"

struct opts {
	int has_comm;
	char comm[16]; /* at most 15 bytes + NUL, as the kernel keeps it */
	int thread;
	int signal; /* 0: a real fault (SIGSEGV) */
	int has_rlimit;
	rlim_t rlimit;
	int has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	int has_dumpable;
	int dumpable;
	int pidns; /* 0, 1 or 2 */
	int has_uts;
	unsigned char *uts;
	size_t uts_len;
	char *cwd;
	int delete_exe;
};

static struct opts o;
static struct buf errs; /* JSON array body: "msg", "msg" */
static int crash_fd = -1;
static char crash_tmp[64];

/* A store to address 0, done in assembly where we know the architecture so
 * that it is a plain machine store (no C-level undefined behaviour for the
 * compiler to exploit); elsewhere through a pointer read at run time. */
#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__)
static int *volatile null_target;
#endif

static void fault_at_null(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("movl $1, 0" ::: "memory");
#elif defined(__aarch64__)
	__asm__ volatile("mov x9, #0\n\tstr w9, [x9]" ::: "x9", "memory");
#else
	*null_target = 1;
#endif
}

static void note_err(const char *what, int e)
{
	logmsg(PROG, "%s: %s", what, errno_name(e));
	char msg[256];
	snprintf(msg, sizeof msg, "%s: %s", what, errno_name(e));
	if (errs.len)
		buf_puts(&errs, ", ");
	buf_json_str(&errs, msg);
}

static pid_t my_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static __attribute__((noreturn)) void usage_fail(const char *key, const char *val)
{
	logmsg(PROG, "bad option %s=%s", key, val ? val : "");
	_exit(2);
}

static void parse_opts(const char *arg)
{
	o.cwd = xstrdup("/tmp/w");
	if (!arg || !strcmp(arg, "-") || !*arg)
		return;
	char *copy = xstrdup(arg);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			usage_fail(tok, NULL);
		*eq = '\0';
		const char *k = tok, *v = eq + 1;
		long long n;
		if (!strcmp(k, "exe") || !strcmp(k, "argv0")) {
			/* handled by the runner */
		} else if (!strcmp(k, "comm")) {
			unsigned char *b;
			size_t len;
			if (hex_decode(v, strlen(v), &b, &len) != 0)
				usage_fail(k, v);
			memset(o.comm, 0, sizeof o.comm);
			memcpy(o.comm, b, len < 15 ? len : 15);
			o.has_comm = 1;
			free(b);
		} else if (!strcmp(k, "thread")) {
			if (parse_ll(v, 0, 1, &n))
				usage_fail(k, v);
			o.thread = (int)n;
		} else if (!strcmp(k, "signal")) {
			if (parse_ll(v, 0, 64, &n))
				usage_fail(k, v);
			o.signal = (int)n;
		} else if (!strcmp(k, "rlimit")) {
			o.has_rlimit = 1;
			if (!strcmp(v, "unlimited")) {
				o.rlimit = RLIM_INFINITY;
			} else {
				unsigned long long u;
				if (parse_ull(v, &u) || u >= (unsigned long long)RLIM_INFINITY)
					usage_fail(k, v);
				o.rlimit = (rlim_t)u;
			}
		} else if (!strcmp(k, "uid")) {
			if (parse_ll(v, 0, 0xfffffffeLL, &n))
				usage_fail(k, v);
			o.has_uid = 1;
			o.uid = (uid_t)n;
		} else if (!strcmp(k, "gid")) {
			if (parse_ll(v, 0, 0xfffffffeLL, &n))
				usage_fail(k, v);
			o.has_gid = 1;
			o.gid = (gid_t)n;
		} else if (!strcmp(k, "dumpable")) {
			if (parse_ll(v, 0, 3, &n))
				usage_fail(k, v);
			o.has_dumpable = 1;
			o.dumpable = (int)n;
		} else if (!strcmp(k, "pidns")) {
			if (parse_ll(v, 0, 2, &n))
				usage_fail(k, v);
			o.pidns = (int)n;
		} else if (!strcmp(k, "uts")) {
			free(o.uts);
			if (hex_decode(v, strlen(v), &o.uts, &o.uts_len) != 0)
				usage_fail(k, v);
			o.has_uts = 1;
		} else if (!strcmp(k, "cwd")) {
			char *c = hex_decode_cstr(v);
			if (!c || !*c)
				usage_fail(k, v);
			free(o.cwd);
			o.cwd = c;
		} else if (!strcmp(k, "delete_exe")) {
			if (parse_ll(v, 0, 1, &n))
				usage_fail(k, v);
			o.delete_exe = (int)n;
		} else {
			usage_fail(k, v);
		}
	}
	free(copy);
}

/* Wait for a child with a deadline; SIGKILL it after. Returns the status
 * or -1. */
static int wait_child(pid_t pid, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR) {
			logmsg(PROG, "waitpid: %s", errno_name(errno));
			return -1;
		}
		if (mono_ms() > deadline) {
			logmsg(PROG, "child %ld did not end; killing it", (long)pid);
			if (kill(pid, SIGKILL) != 0)
				logmsg(PROG, "kill: %s", errno_name(errno));
			if (waitpid(pid, &st, 0) == pid)
				return st;
			return -1;
		}
		sleep_ms(5);
	}
}

static void describe_status(const char *who, int st)
{
	if (st < 0)
		return;
	if (WIFSIGNALED(st))
		logmsg(PROG, "%s: killed by signal %d%s", who, WTERMSIG(st),
		       WCOREDUMP(st) ? " (core dumped)" : "");
	else if (WIFEXITED(st))
		logmsg(PROG, "%s: exited with %d", who, WEXITSTATUS(st));
}

/* The first number after `key` (e.g. "NStgid:") in /proc/thread-self/status. */
static long status_first(const char *status, const char *key, long fallback)
{
	size_t klen = strlen(key);
	const char *p = status;
	while (p && *p) {
		if (!strncmp(p, key, klen)) {
			char *end;
			errno = 0;
			long v = strtol(p + klen, &end, 10);
			if (!errno && end != p + klen)
				return v;
			return fallback;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return fallback;
}

static void set_comm(void)
{
	if (!o.has_comm)
		return;
	if (prctl(PR_SET_NAME, (unsigned long)o.comm, 0UL, 0UL, 0UL) != 0)
		note_err("prctl(PR_SET_NAME)", errno);
}

/* Everything up to the moment of the crash, in the crashing thread. */
static __attribute__((noreturn)) void crash_now(void)
{
	int sig = o.signal ? o.signal : SIGSEGV;
	struct buf j = { 0 };

	if (o.thread)
		set_comm();

	/* Stay on this CPU, so %C equals what we record. */
	int cpu = sched_getcpu();
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof set, &set) != 0)
			note_err("sched_setaffinity", errno);
	} else {
		note_err("sched_getcpu", errno);
	}

	pid_t pid = getpid(), tid = my_gettid();
	char *status = NULL;
	size_t slen;
	if (read_file("/proc/thread-self/status", 65536, &status, &slen) != 0)
		note_err("read /proc/thread-self/status", errno);
	long gpid = status_first(status, "NStgid:", (long)pid);
	long gtid = status_first(status, "NSpid:", (long)tid);
	free(status);

	int dumpable = prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
	if (dumpable < 0)
		note_err("prctl(PR_GET_DUMPABLE)", errno);

	struct utsname u;
	const char *host = "";
	if (uname(&u) == 0)
		host = u.nodename;
	else
		note_err("uname", errno);

	char comm[64];
	size_t comm_len = 0;
	{
		char *c = NULL;
		size_t n = 0;
		if (read_file("/proc/thread-self/comm", 4096, &c, &n) == 0) {
			if (n && c[n - 1] == '\n')
				n--;
			if (n > sizeof comm)
				n = sizeof comm;
			memcpy(comm, c, n);
			comm_len = n;
			free(c);
		} else {
			note_err("read /proc/thread-self/comm", errno);
			char name[17] = { 0 };
			if (prctl(PR_GET_NAME, (unsigned long)name, 0UL, 0UL, 0UL) == 0) {
				comm_len = strlen(name);
				memcpy(comm, name, comm_len);
			}
		}
	}

	char exe[PATH_MAX + 1];
	ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (exe_len < 0) {
		note_err("readlink /proc/self/exe", errno);
		exe_len = 0;
	}

	struct rlimit rl;
	int have_rl = getrlimit(RLIMIT_CORE, &rl) == 0;
	if (!have_rl)
		note_err("getrlimit", errno);

	char cwd[PATH_MAX + 1];
	int have_cwd = getcwd(cwd, sizeof cwd) != NULL;
	if (!have_cwd)
		note_err("getcwd", errno);

	/* Make the signal deliverable and fatal. */
	if (o.signal) {
		sigset_t ss;
		sigemptyset(&ss);
		sigaddset(&ss, sig);
		if (pthread_sigmask(SIG_UNBLOCK, &ss, NULL) != 0)
			note_err("pthread_sigmask", EINVAL);
	}

	/* At least 200 ms before the next second boundary (else wait for it,
	 * + 20 ms), so that %t equals the recorded time. */
	struct timespec now, target;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		note_err("clock_gettime", errno);
	if (now.tv_nsec > 800 * 1000000L) {
		target.tv_sec = now.tv_sec + 1;
		target.tv_nsec = 20 * 1000000L;
		int r;
		while ((r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target, NULL)) == EINTR)
			;
		if (r != 0)
			note_err("clock_nanosleep", r);
		if (clock_gettime(CLOCK_REALTIME, &now) != 0)
			note_err("clock_gettime", errno);
	}

	buf_printf(&j, "{\"pid\": %ld, \"tid\": %ld, \"global_pid\": %ld, \"global_tid\": %ld, "
		   "\"uid\": %lu, \"gid\": %lu, \"dumpable\": %d, \"signal\": %d, \"time\": %lld, "
		   "\"hostname\": ",
		   (long)pid, (long)tid, gpid, gtid, (unsigned long)getuid(), (unsigned long)getgid(),
		   dumpable, sig, (long long)now.tv_sec);
	buf_json_hex_str(&j, host);
	buf_puts(&j, ", \"comm\": ");
	buf_json_hex(&j, comm, comm_len);
	buf_puts(&j, ", \"exe\": ");
	buf_json_hex(&j, exe, (size_t)exe_len);
	buf_printf(&j, ", \"cpu\": %d, \"core_limit\": ", cpu);
	if (!have_rl)
		buf_puts(&j, "null");
	else if (rl.rlim_cur == RLIM_INFINITY)
		buf_puts(&j, "\"unlimited\"");
	else
		buf_printf(&j, "%llu", (unsigned long long)rl.rlim_cur);
	buf_puts(&j, ", \"cwd\": ");
	buf_json_hex_str(&j, have_cwd ? cwd : NULL);
	buf_puts(&j, ", \"errors\": [");
	if (errs.len)
		buf_add(&j, errs.p, errs.len);
	buf_puts(&j, "]}\n");

	if (crash_fd >= 0) {
		if (write_all(crash_fd, j.p, j.len) != 0)
			logmsg(PROG, "write %s: %s", crash_tmp, errno_name(errno));
		else if (close(crash_fd) != 0)
			logmsg(PROG, "close %s: %s", crash_tmp, errno_name(errno));
		else if (rename(crash_tmp, CRASH_JSON) != 0)
			logmsg(PROG, "rename %s: %s", crash_tmp, errno_name(errno));
		crash_fd = -1;
	}

	if (!o.signal) {
		fault_at_null(); /* SIGSEGV, SEGV_MAPERR at address 0 */
	} else if (o.thread) {
		if (syscall(SYS_tgkill, (long)pid, (long)tid, (long)sig) != 0)
			logmsg(PROG, "tgkill: %s", errno_name(errno));
	} else {
		if (raise(sig) != 0)
			logmsg(PROG, "raise: %s", errno_name(errno));
	}
	/* Still alive: the signal does not kill (or init ignored it). */
	logmsg(PROG, "signal %d did not end the process", sig);
	_exit(77);
}

static void *thread_main(void *arg)
{
	(void)arg;
	crash_now();
}

static void reset_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		/* glibc reserves two RT signals; EINVAL for them is fine. */
		(void)sigaction(s, &sa, NULL);
	}
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		note_err("sigprocmask", errno);
}

/* unshare(CLONE_NEWPID) and fork: returns in the process that goes on to
 * crash (PID 1 or PID 2 of the new namespace); the others wait and exit. */
static void enter_pidns(void)
{
	if (unshare(CLONE_NEWPID) != 0) {
		note_err("unshare(CLONE_NEWPID)", errno);
		return;
	}
	pid_t c = fork();
	if (c < 0) {
		logmsg(PROG, "fork: %s", errno_name(errno));
		_exit(3);
	}
	if (c > 0) {
		describe_status("pid namespace init", wait_child(c, 9500));
		_exit(0);
	}
	/* PID 1 of the new namespace. */
	if (o.pidns == 2) {
		pid_t g = fork();
		if (g < 0) {
			logmsg(PROG, "fork in the namespace: %s", errno_name(errno));
			_exit(3);
		}
		if (g > 0) {
			describe_status("pid namespace pid 2", wait_child(g, 9000));
			_exit(0);
		}
	}
}

int main(int argc, char **argv)
{
	reset_signals();
	parse_opts(argc > 1 ? argv[1] : NULL);

	if (o.pidns)
		enter_pidns();

	if (o.has_uts) {
		if (unshare(CLONE_NEWUTS) != 0)
			note_err("unshare(CLONE_NEWUTS)", errno);
		else if (sethostname((const char *)o.uts, o.uts_len) != 0)
			note_err("sethostname", errno);
	}

	if (mkdir_p(o.cwd, 01777, NULL) != 0)
		note_err("mkdir cwd", errno);
	if (chdir(o.cwd) != 0)
		note_err("chdir", errno);

	if (!o.thread)
		set_comm();

	if (o.has_rlimit) {
		struct rlimit rl = { o.rlimit, RLIM_INFINITY };
		if (setrlimit(RLIMIT_CORE, &rl) != 0)
			note_err("setrlimit(RLIMIT_CORE)", errno);
	}

	if (o.delete_exe) {
		char exe[PATH_MAX + 1];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n < 0) {
			note_err("readlink /proc/self/exe", errno);
		} else {
			exe[n] = '\0';
			if (unlink(exe) != 0)
				note_err("unlink exe", errno);
		}
	}

	/* The record file, opened while still root. */
	snprintf(crash_tmp, sizeof crash_tmp, "%s.tmp.%ld", CRASH_JSON, (long)getpid());
	(void)unlink(crash_tmp);
	crash_fd = open(crash_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (crash_fd < 0) {
		logmsg(PROG, "open %s: %s", crash_tmp, errno_name(errno));
	} else {
		if (fchmod(crash_fd, 0644) != 0)
			note_err("fchmod crash record", errno);
		/* Own it as the future user: /tmp is sticky, and the rename at
		 * the end must be allowed. */
		if ((o.has_uid || o.has_gid) &&
		    fchown(crash_fd, o.has_uid ? o.uid : (uid_t)-1, o.has_gid ? o.gid : (gid_t)-1) != 0)
			note_err("fchown crash record", errno);
	}

	if (o.has_uid || o.has_gid) {
		if (setgroups(0, NULL) != 0)
			note_err("setgroups", errno);
	}
	if (o.has_gid && setresgid(o.gid, o.gid, o.gid) != 0)
		note_err("setresgid", errno);
	if (o.has_uid && setresuid(o.uid, o.uid, o.uid) != 0)
		note_err("setresuid", errno);

	if (o.has_dumpable &&
	    prctl(PR_SET_DUMPABLE, (unsigned long)o.dumpable, 0UL, 0UL, 0UL) != 0)
		note_err("prctl(PR_SET_DUMPABLE)", errno);

	if (o.thread) {
		pthread_attr_t attr;
		pthread_t t;
		int e = pthread_attr_init(&attr);
		if (e == 0)
			e = pthread_attr_setstacksize(&attr, 256 * 1024);
		if (e != 0)
			note_err("pthread_attr", e);
		e = pthread_create(&t, e == 0 ? &attr : NULL, thread_main, NULL);
		if (e != 0) {
			logmsg(PROG, "pthread_create: %s", errno_name(e));
			_exit(3);
		}
		e = pthread_join(t, NULL);
		logmsg(PROG, "pthread_join returned: %s", errno_name(e));
		_exit(3);
	}
	crash_now();
}
