/* BuildSentry's socket owners: the job member behind each socket a member connected or sent a first datagram from,
 * keyed by the socket's cookie, which sock_diag reports for a flow's tuple. The capture asks this map instead of
 * searching every /proc/PID/fd for the socket. Included by connect.h.
 * The value layout is read by KernelSocketOwners.cs: change both together. */
#ifndef BUILDSENTRY_FLOWS_H
#define BUILDSENTRY_FLOWS_H

struct socket_owner {
	s32 tgid;
	u32 job;
	u64 start_ns;
	u32 netns;
	u32 zero;
};

/* LRU: a closed socket's entry ages out (a cookie is never reused while the system runs). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);
	__type(value, struct socket_owner);
} socket_owners SEC(".maps");

/* The calling task owns the socket from now on, whichever process made it: a socket passed down from outside the
 * job is the job's once a member connects or sends on it. */
static __always_inline void remember_socket(u64 cookie, u32 tgid, u32 job, u64 start_ns, u32 netns)
{
	struct socket_owner owner = {};

	owner.tgid = tgid;
	owner.job = job;
	owner.start_ns = start_ns;
	owner.netns = netns;
	bpf_map_update_elem(&socket_owners, &cookie, &owner, BPF_ANY);
}

#endif
