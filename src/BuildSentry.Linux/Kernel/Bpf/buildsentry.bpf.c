// SPDX-License-Identifier: GPL-2.0
/* BuildSentry's process programs: fork, exec, exit and renames of processes (never threads) into one ring buffer, and the
 * job membership map that a fork copies from the creating process to the child before the child first runs; the
 * connection programs (connect.h) report job members' connects and UDP flows into the same ring.
 * The record layout is read by KernelRecordParser.cs: change both together. */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define KIND_FORK 1
#define KIND_EXEC 2
#define KIND_EXIT 3
#define KIND_COMM 4

/* Bounds on what an exec carries. ARGV_MAX is one more than CmdlineParser.MaxBytes, so a cut argv shows as one
 * byte too many, exactly as a read of /proc/PID/cmdline does. Lengths are masked with a power of two minus one
 * before they size a read: clang loses the clamp's bound on the way to the verifier, a mask it keeps. */
#define FILENAME_MAX 1024
#define ARGV_MAX 4097
#define ARGV_MASK 8191

#define EXEC_FILENAME_CUT 1
#define EXEC_ARGV_UNREAD 2

#define COUNTER_RING_FULL 0
#define COUNTER_JOBS_FULL 1
#define COUNTER_CONNECTS_LOST 2
#define COUNTERS 3

struct header {
	u32 kind;
	u32 job;
	u64 time_ns;
	u64 start_ns;
	u64 parent_start_ns;
	u64 cgroup_id;
	s32 pid;
	s32 tgid;
	s32 parent_tgid;
	u32 uid;
	u32 gid;
	s32 exit_code;
	char comm[16];
};

struct exec_record {
	struct header h;
	__u16 filename_len;
	__u16 argv_len;
	u32 flags;
	u8 data[FILENAME_MAX + ARGV_MASK + 1];
};

/* Set by the loader before load (bpf_map__initial_value): bytes pending in the ring at which a record wakes the
 * reader, which otherwise drains on its own schedule. A wake-up per record costs more than the record. */
const volatile u64 wake_bytes = 1 << 20;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, u32);
	__type(value, u32);
} jobs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTERS);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

/* An exec record is too large for the BPF stack; each CPU builds its own here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exec_record);
} scratch SEC(".maps");

static __always_inline void count(u32 counter)
{
	u64 *value = bpf_map_lookup_elem(&counters, &counter);
	if (value)
		*value += 1;
}

static __always_inline u64 wake_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wake_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline u32 job_of(u32 tgid)
{
	u32 *slot = bpf_map_lookup_elem(&jobs, &tgid);
	return slot ? *slot : 0;
}

/* Identity as /proc/PID/stat shows it: the thread group leader's boot-time start (a thread that execs or exits
 * last is not the leader), and the effective ids, which own /proc/PID. */
static __always_inline void fill(struct header *h, u32 kind, struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = task->real_parent;
	const struct cred *cred = task->cred;

	h->kind = kind;
	h->time_ns = bpf_ktime_get_ns();
	h->pid = task->pid;
	h->tgid = task->tgid;
	h->start_ns = BPF_CORE_READ(leader, start_boottime);
	h->parent_tgid = BPF_CORE_READ(parent, tgid);
	h->parent_start_ns = BPF_CORE_READ(parent, group_leader, start_boottime);
	h->uid = BPF_CORE_READ(cred, euid.val);
	h->gid = BPF_CORE_READ(cred, egid.val);
	h->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	h->exit_code = 0;
	h->job = job_of(h->tgid);
	bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), task->comm);
}

static __always_inline void emit(struct header *h)
{
	/* Each record is reserved separately: one that does not fit is counted, never silently dropped. */
	struct header *slot = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!slot) {
		count(COUNTER_RING_FULL);
		return;
	}
	__builtin_memcpy(slot, h, sizeof(*h));
	bpf_ringbuf_submit(slot, wake_flags());
}

#include "jobpolicy.h"

SEC("tp_btf/sched_process_fork")
int BPF_PROG(buildsentry_fork, struct task_struct *creator, struct task_struct *child)
{
	struct header h = {};
	u32 child_tgid = child->tgid;

	if (child->pid != child_tgid)
		return 0;

	/* The creating process, not the child's real parent (CLONE_PARENT names another one), decides the job.
	 * This runs before the child is first woken: it cannot act before it is a member. */
	u32 job = job_of(creator->tgid);
	if (job && bpf_map_update_elem(&jobs, &child_tgid, &job, BPF_ANY))
		count(COUNTER_JOBS_FULL);

	fill(&h, KIND_FORK, child);
	emit(&h);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(buildsentry_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	u32 zero = 0;
	struct exec_record *r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;

	fill(&r->h, KIND_EXEC, task);
	r->flags = 0;

	long n = bpf_probe_read_kernel_str(r->data, FILENAME_MAX, BPF_CORE_READ(bprm, filename));
	u32 filename_len = n > 0 ? n - 1 : 0;
	if (n == FILENAME_MAX)
		r->flags |= EXEC_FILENAME_CUT;
	filename_len &= FILENAME_MAX - 1;
	r->filename_len = filename_len;

	struct mm_struct *mm = task->mm;
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	u32 argv_len = end > start ? end - start : 0;
	if (argv_len > ARGV_MAX)
		argv_len = ARGV_MAX;
	barrier_var(argv_len);
	argv_len &= ARGV_MASK;
	if (argv_len && bpf_probe_read_user(r->data + filename_len, argv_len, (const void *)start)) {
		r->flags |= EXEC_ARGV_UNREAD;
		argv_len = 0;
	}
	r->argv_len = argv_len;

	u64 size = sizeof(*r) - sizeof(r->data) + filename_len + argv_len;
	if (size > sizeof(*r))
		return 0;
	if (bpf_ringbuf_output(&events, r, size, wake_flags()))
		count(COUNTER_RING_FULL);
	if (r->h.job)
		stop_until_listening(r->h.job, r->h.tgid, BPF_CORE_READ(task, nsproxy, net_ns, ns.inum), r->h.start_ns);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(buildsentry_exit, struct task_struct *task)
{
	struct header h = {};

	/* Every thread passes here; the process ends with its last one. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;

	fill(&h, KIND_EXIT, task);
	h.exit_code = task->exit_code;
	u32 tgid = h.tgid;
	bpf_map_delete_elem(&jobs, &tgid);
	emit(&h);
	return 0;
}

/* A process naming itself (prctl PR_SET_NAME, a write to /proc/PID/comm), as the proc connector reports it: not
 * the rename every exec makes, whose name the exec record carries already. */
SEC("tp_btf/task_rename")
int BPF_PROG(buildsentry_comm, struct task_struct *task, const char *comm)
{
	struct header h = {};

	if (task->pid != task->tgid)
		return 0;
	if (bpf_core_field_exists(task->in_execve) && BPF_CORE_READ_BITFIELD(task, in_execve))
		return 0;

	fill(&h, KIND_COMM, task);
	bpf_probe_read_kernel_str(h.comm, sizeof(h.comm), comm);
	emit(&h);
	return 0;
}

#include "connect.h"

char LICENSE[] SEC("license") = "GPL";
