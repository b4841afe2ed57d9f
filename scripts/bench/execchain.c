/* One link of a paced exec chain for scripts/bench.sh measurement 3 (x86-64 Linux only).
 *   execchain COUNT PERIOD_NS START_NS INDEX
 * sleeps until CLOCK_MONOTONIC START_NS + INDEX * PERIOD_NS (not at all when PERIOD_NS is 0), then execs
 * itself with INDEX + 1, until INDEX reaches COUNT: COUNT execs in one process, no fork and no exit in
 * between, each exec a proc connector event and a /proc read for a monitor. Built without libc
 * (-nostdlib -static): a static glibc program spends ~150 us starting up, which would cap the rate far
 * below what the kernel can exec. scripts/bench/execstorm.c --chain starts the chains. */
#define SYS_execve 59
#define SYS_exit_group 231
#define SYS_clock_nanosleep 230
#define CLOCK_MONOTONIC 1
#define TIMER_ABSTIME 1
#define EINTR 4

struct timespec_k { long tv_sec; long tv_nsec; };

static long syscall4(long n, long a, long b, long c, long d) {
  long r;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return r;
}

static unsigned long parse(const char *s, int *ok) {
  unsigned long v = 0;
  if (!s || !*s) { *ok = 0; return 0; }
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || v > 1000000000000000000UL) { *ok = 0; return 0; }
    v = v * 10 + (unsigned long)(*s - '0');
  }
  return v;
}

static char *format(unsigned long v, char *end) {
  *--end = 0;
  do { *--end = (char)('0' + v % 10); v /= 10; } while (v);
  return end;
}

void chain_main(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  char **envp = argv + argc + 1;
  int ok = argc == 5;
  unsigned long count = ok ? parse(argv[1], &ok) : 0, period = ok ? parse(argv[2], &ok) : 0;
  unsigned long start = ok ? parse(argv[3], &ok) : 0, index = ok ? parse(argv[4], &ok) : 0;
  if (!ok) syscall4(SYS_exit_group, 2, 0, 0, 0);
  if (index >= count) syscall4(SYS_exit_group, 0, 0, 0, 0);
  if (period) {
    unsigned long at = start + index * period;
    struct timespec_k t = {(long)(at / 1000000000UL), (long)(at % 1000000000UL)};
    while (syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&t, 0) == -EINTR) {}
  }
  char next[24];
  char *args[] = {argv[0], argv[1], argv[2], argv[3], format(index + 1, next + sizeof next), 0};
  syscall4(SYS_execve, (long)argv[0], (long)args, (long)envp, 0);
  syscall4(SYS_exit_group, 1, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call chain_main\n  hlt\n");
