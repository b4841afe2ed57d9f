// Hostile job (c): a fork bomb capped at MAX live processes, in rounds until SECONDS have passed.
// Every process forks while the shared count is below MAX; the tree holds for HOLD_MS, then exits.
// usage: forkbomb MAX SECONDS    prints: rounds processes-forked
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define HOLD_MS 500

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: forkbomb MAX SECONDS\n"); return 2; }
    long max = atol(argv[1]);
    double deadline = now() + atof(argv[2]);
    _Atomic long *shared = mmap(NULL, 2 * sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) { perror("mmap"); return 1; }
    _Atomic long *live = &shared[0], *forked = &shared[1];
    // Children are reaped by the kernel: no zombies hold pids while the tree is up.
    signal(SIGCHLD, SIG_IGN);
    long rounds = 0;
    while (now() < deadline) {
        atomic_store(live, 1);
        rounds++;
        pid_t root = getpid();
        while (atomic_fetch_add(live, 1) < max) {
            pid_t pid = fork();
            if (pid < 0) { atomic_fetch_sub(live, 1); break; }
            if (pid > 0) atomic_fetch_add(forked, 1);
        }
        atomic_fetch_sub(live, 1);
        usleep(HOLD_MS * 1000);
        if (getpid() != root) { atomic_fetch_sub(live, 1); _exit(0); }
        while (atomic_load(live) > 1) usleep(10000);
    }
    printf("%ld %ld\n", rounds, atomic_load(forked));
    return 0;
}
