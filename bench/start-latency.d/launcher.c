/* launcher: runs commands round-robin and prints each run's wall time.
 *
 *   launcher SPEC ROUNDS WARMUP LOGDIR
 *
 * SPEC has one tool per line, fields separated by tabs:
 *   NAME <tab> COUNT <tab> ARG0 <tab> ARG1 ...
 * Every tool is first run WARMUP times (not timed for the results, printed
 * with phase "w"), then ROUNDS rounds follow; tool t runs COUNT_t times in
 * all, spread evenly over the rounds, and the order within a round rotates
 * so that no tool always follows the same one. An argument "{id}" is
 * replaced by a string unique to the run (container ids).
 *
 * Each run: clock_gettime(CLOCK_MONOTONIC), posix_spawn, waitpid,
 * clock_gettime. The same code path for every tool, so the launch overhead
 * is the same for all. stdin and stdout are /dev/null, stderr goes to
 * LOGDIR/NAME.log. Output lines: NAME <tab> PHASE <tab> N <tab> NS <tab> STATUS
 * where STATUS is the exit code, or 128+N when killed by signal N.
 *
 * The launcher is a child subreaper: whatever a run leaves behind (podman's
 * conmon and its `container cleanup` exit command outlive `podman run`) is
 * reparented here and waited for, untimed, before the next run starts, so
 * one tool's aftermath never lands in another tool's sample. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { kMaxTools = 32, kMaxArgs = 128 };

struct tool {
  char *name;
  long count;
  int argc;
  char *argv[kMaxArgs + 1];
  int id_arg; /* index of "{id}" or -1 */
  int log_fd;
};

static struct tool tools[kMaxTools];
static int ntools;
static int devnull;
static unsigned long run_serial;

static int64_t now_ns(void);

/* Reaps every leftover descendant (all are our children: subreaper), for at
 * most 10 s; returns how many there were. */
static int drain(const char *name) {
  int reaped = 0;
  int64_t deadline = now_ns() + 10LL * 1000000000;
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, WNOHANG);
    if (p > 0) {
      reaped++;
      continue;
    }
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) return reaped; /* ECHILD: nothing left */
    if (now_ns() > deadline) {
      fprintf(stderr, "launcher: %s left processes running for over 10 s\n", name);
      return reaped;
    }
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void run_once(struct tool *t, const char *phase, long n) {
  char id[96];
  char *saved = NULL;
  if (t->id_arg >= 0) {
    snprintf(id, sizeof id, "boxbench-%s-%ld-%lu", t->name, (long)getpid(), run_serial);
    saved = t->argv[t->id_arg];
    t->argv[t->id_arg] = id;
  }
  run_serial++;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, devnull, 0);
  posix_spawn_file_actions_adddup2(&fa, devnull, 1);
  posix_spawn_file_actions_adddup2(&fa, t->log_fd, 2);
  pid_t pid;
  int64_t t0 = now_ns();
  int rc = posix_spawn(&pid, t->argv[0], &fa, NULL, t->argv, environ);
  int status = 0;
  if (rc == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  int64_t t1 = now_ns();
  posix_spawn_file_actions_destroy(&fa);
  drain(t->name);
  if (saved) t->argv[t->id_arg] = saved;
  int code;
  if (rc != 0) {
    dprintf(t->log_fd, "launcher: cannot run %s: %s\n", t->argv[0], strerror(rc));
    code = 127;
  } else if (WIFEXITED(status)) {
    code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    code = 128 + WTERMSIG(status);
  } else {
    code = 255;
  }
  printf("%s\t%s\t%ld\t%lld\t%d\n", t->name, phase, n, (long long)(t1 - t0), code);
}

static void read_spec(const char *path, const char *logdir) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  static char line[65536];
  while (fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    if (len && line[len - 1] == '\n') line[--len] = 0;
    if (!len) continue;
    if (ntools == kMaxTools) {
      fprintf(stderr, "launcher: too many tools\n");
      exit(2);
    }
    struct tool *t = &tools[ntools];
    char *save = NULL;
    char *field = strtok_r(line, "\t", &save);
    t->name = strdup(field);
    field = strtok_r(NULL, "\t", &save);
    t->count = field ? strtol(field, NULL, 10) : 0;
    t->id_arg = -1;
    while ((field = strtok_r(NULL, "\t", &save))) {
      if (t->argc == kMaxArgs) {
        fprintf(stderr, "launcher: too many arguments for %s\n", t->name);
        exit(2);
      }
      if (strcmp(field, "{id}") == 0) t->id_arg = t->argc;
      t->argv[t->argc++] = strdup(field);
    }
    if (!t->argc) {
      fprintf(stderr, "launcher: no command for %s\n", t->name);
      exit(2);
    }
    char logpath[4096];
    snprintf(logpath, sizeof logpath, "%s/%s.log", logdir, t->name);
    t->log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (t->log_fd < 0) {
      perror(logpath);
      exit(2);
    }
    ntools++;
  }
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: launcher SPEC ROUNDS WARMUP LOGDIR\n");
    return 2;
  }
  long rounds = strtol(argv[2], NULL, 10);
  long warmup = strtol(argv[3], NULL, 10);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    perror("PR_SET_CHILD_SUBREAPER");
    return 2;
  }
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    perror("/dev/null");
    return 2;
  }
  read_spec(argv[1], argv[4]);
  for (long w = 0; w < warmup; w++)
    for (int i = 0; i < ntools; i++) run_once(&tools[i], "w", w);
  fflush(stdout);
  long done[kMaxTools] = {0};
  for (long r = 0; r < rounds; r++) {
    for (int j = 0; j < ntools; j++) {
      struct tool *t = &tools[(j + r) % ntools];
      long due = ((r + 1) * t->count) / rounds - (r * t->count) / rounds;
      while (due-- > 0) run_once(t, "m", done[t - tools]++);
    }
  }
  fflush(stdout);
  return 0;
}
