/* Exec capacity load for scripts/bench.sh, two ways; both print "execs seconds execs_per_second".
 *   execstorm WORKERS TOTAL [PROGRAM]
 *     WORKERS processes each posix_spawn PROGRAM (default /bin/true; a static one execs faster) and
 *     wait for it, TOTAL times in all, as fast as the machine allows: a fork, an exec and an exit each.
 *   execstorm --chain CHAINS TOTAL RATE EXECCHAIN
 *     CHAINS processes each exec EXECCHAIN (scripts/bench/execchain.c) TOTAL / CHAINS times in a row,
 *     together RATE execs per second on a fixed schedule (0: as fast as they can). An exec alone is
 *     several times cheaper than a spawn, so this reaches rates the spawns cannot. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int chains(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: execstorm --chain CHAINS TOTAL RATE EXECCHAIN\n");
    return 2;
  }
  int count = atoi(argv[2]);
  long total = atol(argv[3]), rate = atol(argv[4]);
  if (count < 1 || total < count || rate < 0) {
    fprintf(stderr, "execstorm: need CHAINS >= 1, TOTAL >= CHAINS and RATE >= 0\n");
    return 2;
  }
  long per_chain = total / count;
  /* Chain k execs at start + k * (1 s / RATE) + i * (CHAINS s / RATE): RATE execs/s in all. */
  unsigned long long period = rate ? 1000000000ULL * count / rate : 0;
  unsigned long long start = (unsigned long long)(now() * 1e9) + 50000000ULL;
  char per[24], per_ns[24];
  snprintf(per, sizeof per, "%ld", per_chain);
  snprintf(per_ns, sizeof per_ns, "%llu", period);
  double began = now();
  for (int k = 0; k < count; k++) {
    char at[24];
    snprintf(at, sizeof at, "%llu", start + (rate ? 1000000000ULL * k / rate : 0));
    char *args[] = {argv[5], per, per_ns, at, "0", NULL};
    pid_t pid;
    if (posix_spawn(&pid, argv[5], NULL, NULL, args, environ) != 0) { perror("posix_spawn"); return 1; }
  }
  int failed = 0, status;
  while (wait(&status) > 0)
    failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  /* Timed from the first scheduled exec when paced (the 50 ms lead-in is not exec time). */
  double seconds = now() - (rate ? start / 1e9 : began);
  printf("%ld %.3f %.0f\n", per_chain * count, seconds, per_chain * count / seconds);
  return failed;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--chain") == 0)
    return chains(argc, argv);
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: execstorm WORKERS TOTAL [PROGRAM]\n");
    return 2;
  }
  int workers = atoi(argv[1]);
  long total = atol(argv[2]);
  if (workers < 1 || total < workers) {
    fprintf(stderr, "execstorm: need WORKERS >= 1 and TOTAL >= WORKERS\n");
    return 2;
  }
  char *child_argv[] = {argc == 4 ? argv[3] : "/bin/true", NULL};
  double start = now();
  for (int w = 0; w < workers; w++) {
    pid_t worker = fork();
    if (worker < 0) { perror("fork"); return 1; }
    if (worker == 0) {
      for (long i = 0; i < total / workers; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, child_argv[0], NULL, NULL, child_argv, environ) != 0) { perror("posix_spawn"); _exit(1); }
        waitpid(pid, &status, 0);
      }
      _exit(0);
    }
  }
  int failed = 0, status;
  while (wait(&status) > 0)
    failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  double seconds = now() - start;
  long execs = (total / workers) * workers;
  printf("%ld %.3f %.0f\n", execs, seconds, execs / seconds);
  return failed;
}
