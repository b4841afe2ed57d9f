/* What user space holds a job to (job_policies, written by KernelPolicy.cs: change both together), and the network
 * namespaces where its DNS forwarder listens. Included by buildsentry.bpf.c before its programs: an exec into a new
 * network namespace asks for a forwarder there, and waits stopped until it listens, before the job's first query. */
#ifndef BUILDSENTRY_JOBPOLICY_H
#define BUILDSENTRY_JOBPOLICY_H

#define KIND_NETNS 8

#define MODE_OBSERVE 0
#define MODE_PREVENT 1
#define MODE_KILL 2 /* as prevent, and the refused process is killed in the same instant (the daemon kills the job) */

#define SIGKILL 9
#define SIGSTOP 19
#define SIGCONT 18

#define PROTOCOL_TCP_BIT 1
#define PROTOCOL_UDP_BIT 2

#define ALLOW_RANGES 8
#define DNS_PORT 53

#define NETNS_NONE -1 /* not held: no policy, or the request could not be made */
#define NETNS_ASKED 0
#define NETNS_LISTENING 1

struct job_policy {
	u32 mode;
	u16 dns_port; /* the forwarder's port, host byte order; 0: DNS is not redirected */
	u16 zero;
	u32 dns_ip4; /* the forwarder's IPv4 address, network byte order */
	u32 dns_ip6[4]; /* and IPv6 address */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct job_policy);
} job_policies SEC(".maps");

/* A held job's DNS goes to the forwarder's address in the job's own network namespace, so the daemon needs a
 * listener in each one: NETNS_LISTENING where it has one, NETNS_ASKED where a record has asked for it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u32);
} dns_netns SEC(".maps");

struct netns_record {
	u32 kind;
	u32 job;
	s32 tgid;
	u32 netns;
};

/* A process stopped at its exec until its namespace's forwarder listens (stop_first_exec), by tgid. The daemon
 * continues it (SIGCONT through a pidfd, checked against start_ns) and deletes the entry: whoever deletes it continues
 * it, so it is continued once. */
struct netns_stop {
	u32 netns;
	u32 job;
	u64 start_ns; /* the process's, as /proc/PID/stat's start time in nanoseconds */
	u64 stopped_ns; /* CLOCK_MONOTONIC */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, s32);
	__type(value, struct netns_stop);
} netns_stops SEC(".maps");

/* Key 0, set by the daemon while it can continue what it stops: cleared before it lets go of the maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} stop_execs SEC(".maps");

/* Asks the daemon, once per namespace, for a forwarder in the namespace of a held job's process. Returns the
 * namespace's state: NETNS_NONE where the job is not held or the request was lost (the next exec or query asks again). */
static __always_inline int ask_forwarder(u32 job, s32 tgid, u32 netns)
{
	struct job_policy *policy = bpf_map_lookup_elem(&job_policies, &job);
	if (!policy || policy->mode == MODE_OBSERVE || !policy->dns_port)
		return NETNS_NONE;
	u32 *state = bpf_map_lookup_elem(&dns_netns, &netns);
	if (state)
		return *state;

	u32 asked = NETNS_ASKED;
	if (bpf_map_update_elem(&dns_netns, &netns, &asked, BPF_NOEXIST))
		return NETNS_ASKED; /* another CPU asked at the same instant */
	struct netns_record r = {};
	r.kind = KIND_NETNS;
	r.job = job;
	r.tgid = tgid;
	r.netns = netns;
	if (bpf_ringbuf_output(&events, &r, sizeof(r), BPF_RB_FORCE_WAKEUP)) {
		bpf_map_delete_elem(&dns_netns, &netns);
		count(COUNTER_RING_FULL);
		return NETNS_NONE;
	}
	return NETNS_ASKED;
}

/* A held job's exec in a namespace whose forwarder does not listen yet (a new container's or unshare's first program):
 * the process stops before its first instruction (the signal is taken on the way back to user space) and the daemon
 * continues it once the forwarder listens, or gives up waiting. Otherwise its first query would go to the server it
 * asked, unchecked. The entry is written after the signal and the state read again after the entry: a daemon that
 * marked the namespace LISTENING and swept its stops in between would miss it, so this side continues it itself. */
static __always_inline void stop_until_listening(u32 job, s32 tgid, u32 netns, u64 start_ns)
{
	if (ask_forwarder(job, tgid, netns) != NETNS_ASKED)
		return;
	u32 zero = 0;
	u32 *on = bpf_map_lookup_elem(&stop_execs, &zero);
	if (!on || !*on)
		return;

	struct netns_stop stop = {};
	stop.netns = netns;
	stop.job = job;
	stop.start_ns = start_ns;
	stop.stopped_ns = bpf_ktime_get_ns();
	if (bpf_send_signal(SIGSTOP))
		return;
	if (bpf_map_update_elem(&netns_stops, &tgid, &stop, BPF_ANY)) {
		bpf_send_signal(SIGCONT);
		return;
	}
	u32 *state = bpf_map_lookup_elem(&dns_netns, &netns);
	if ((!state || *state == NETNS_LISTENING) && !bpf_map_delete_elem(&netns_stops, &tgid))
		bpf_send_signal(SIGCONT);
}

/* The namespace's state for a held job's process, asking for the forwarder on the way. The job is held there only
 * once the forwarder listens; while it is asked for, the job's DNS goes to where the forwarder will listen (and is lost
 * until it does: the resolver asks again), never to the server it asked. */
static __always_inline int held_here(u32 job, s32 tgid, struct task_struct *task)
{
	u32 netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	u32 *state = bpf_map_lookup_elem(&dns_netns, &netns);
	if (state && *state == NETNS_LISTENING)
		return NETNS_LISTENING;
	return ask_forwarder(job, tgid, netns);
}

#endif
