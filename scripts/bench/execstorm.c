/* Exec capacity load for scripts/bench.sh: WORKERS processes each posix_spawn PROGRAM (default
 * /bin/true; a static one execs faster) and wait for it, TOTAL times in all, as fast as the machine
 * allows. Prints "execs seconds execs_per_second". */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
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
