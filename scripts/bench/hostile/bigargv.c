// Hostile job (d): processes with 1 MiB argvs (eight 128 KiB arguments, the kernel's limit for one),
// each `sh -c 'sleep 1'`, up to LIVE at once, started until SECONDS have passed.
// usage: bigargv LIVE SECONDS    prints: started
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARGS 8
#define ARG_BYTES (128 * 1024 - 1)

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: bigargv LIVE SECONDS\n"); return 2; }
    int cap = atoi(argv[1]);
    time_t deadline = time(NULL) + atol(argv[2]);
    char *args[ARGS + 5] = { "sh", "-c", "sleep 1", "pad" };
    for (int i = 0; i < ARGS; i++) {
        args[4 + i] = malloc(ARG_BYTES);
        memset(args[4 + i], 'A' + i, ARG_BYTES - 1);
        args[4 + i][ARG_BYTES - 1] = 0;
    }
    args[4 + ARGS] = NULL;
    long started = 0;
    int live = 0;
    while (time(NULL) < deadline) {
        if (live >= cap) { if (wait(NULL) > 0) live--; continue; }
        pid_t pid = fork();
        if (pid == 0) { execv("/bin/sh", args); _exit(127); }
        if (pid > 0) { live++; started++; }
    }
    while (wait(NULL) > 0) {}
    printf("%ld\n", started);
    return 0;
}
