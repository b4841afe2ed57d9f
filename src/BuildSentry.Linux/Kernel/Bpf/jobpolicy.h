/* What user space holds a job to (job_policies, written by KernelPolicy.cs: change both together), and the network
 * namespaces where its DNS forwarder listens. Included by buildsentry.bpf.c before its programs: an exec into a new
 * network namespace asks for a forwarder there before the job's first query can. */
#ifndef BUILDSENTRY_JOBPOLICY_H
#define BUILDSENTRY_JOBPOLICY_H

#define KIND_NETNS 8

#define MODE_OBSERVE 0
#define MODE_PREVENT 1
#define MODE_KILL 2 /* as prevent, and the refused process is killed in the same instant (the daemon kills the job) */

#define SIGKILL 9

#define PROTOCOL_TCP_BIT 1
#define PROTOCOL_UDP_BIT 2

#define ALLOW_RANGES 8
#define DNS_PORT 53

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

/* Asks the daemon, once per namespace, for a forwarder in the namespace of a held job's process. */
static __always_inline void ask_forwarder(u32 job, s32 tgid, u32 netns)
{
	struct job_policy *policy = bpf_map_lookup_elem(&job_policies, &job);
	if (!policy || policy->mode == MODE_OBSERVE || !policy->dns_port)
		return;
	if (bpf_map_lookup_elem(&dns_netns, &netns))
		return;

	u32 asked = NETNS_ASKED;
	if (bpf_map_update_elem(&dns_netns, &netns, &asked, BPF_NOEXIST))
		return;
	struct netns_record r = {};
	r.kind = KIND_NETNS;
	r.job = job;
	r.tgid = tgid;
	r.netns = netns;
	/* A lost request is asked again by the namespace's next exec or query. */
	if (bpf_ringbuf_output(&events, &r, sizeof(r), BPF_RB_FORCE_WAKEUP)) {
		bpf_map_delete_elem(&dns_netns, &netns);
		count(COUNTER_RING_FULL);
	}
}

/* A held job is held in a namespace only once the forwarder listens there: until then (the first moments of a new
 * container or unshare) the daemon judges its member's connections as in kill mode, and its DNS goes to the server
 * it asked, where the capture sees it. Asks for the forwarder on the way. */
static __always_inline bool held_here(u32 job, s32 tgid, struct task_struct *task)
{
	u32 netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	u32 *state = bpf_map_lookup_elem(&dns_netns, &netns);
	if (state && *state == NETNS_LISTENING)
		return true;
	ask_forwarder(job, tgid, netns);
	return false;
}

#endif
