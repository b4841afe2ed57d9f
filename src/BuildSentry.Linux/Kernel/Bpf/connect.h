/* BuildSentry's connection programs: cgroup sock_addr hooks at the cgroup v2 root, included by buildsentry.bpf.c
 * after its maps, so they share its ring (a member's exec is read before its connect) and its membership map.
 * The record layout is read by KernelConnectionParser.cs: change both together. */
#ifndef BUILDSENTRY_CONNECT_H
#define BUILDSENTRY_CONNECT_H

#include <bpf/bpf_endian.h>

#define KIND_CONNECT 5
#define KIND_UDP_SEND 6

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define CONNECT_V4_MAPPED 1
#define CONNECT_UDP_CONNECT 2 /* a prevented UDP connect: no datagram was being sent */

/* Each hook lets the syscall go on (1). Returning 0 would fail it with EPERM before a packet leaves. */
#define ALLOW 1

#include "flows.h"

struct connect_record {
	u32 kind;
	u32 job;
	u64 time_ns;
	u64 start_ns;
	u64 cookie;
	s32 pid;
	s32 tgid;
	u32 netns;
	u16 family;
	u16 port; /* host byte order */
	u32 protocol;
	u32 flags;
	u8 addr[16]; /* network byte order; IPv4 in the first four bytes */
};

/* A UDP flow as one socket sees it: only the first datagram to each destination is reported. */
struct udp_flow {
	u64 cookie;
	u8 addr[16];
	u16 family;
	u16 port;
	u32 zero;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct udp_flow);
	__type(value, u8);
} udp_flows SEC(".maps");

/* The destination as the job meant it: ::ffff:a.b.c.d on a dual-stack socket goes out as IPv4 a.b.c.d, and is
 * reported (and will be judged) as that, or a v6 socket would walk around every IPv4 rule. */
static __always_inline void destination6(struct bpf_sock_addr *ctx, struct connect_record *r)
{
	u32 a0 = ctx->user_ip6[0], a1 = ctx->user_ip6[1], a2 = ctx->user_ip6[2], a3 = ctx->user_ip6[3];

	if (a0 == 0 && a1 == 0 && a2 == bpf_htonl(0xffff)) {
		r->family = AF_INET;
		r->flags |= CONNECT_V4_MAPPED;
		__builtin_memcpy(r->addr, &a3, 4);
		return;
	}

	r->family = AF_INET6;
	__builtin_memcpy(r->addr, &a0, 4);
	__builtin_memcpy(r->addr + 4, &a1, 4);
	__builtin_memcpy(r->addr + 8, &a2, 4);
	__builtin_memcpy(r->addr + 12, &a3, 4);
}

/* A UDP socket's datagram to a destination it has not sent to before. NOEXIST makes two threads sending at once
 * report the flow once. */
static __always_inline bool first_of_flow(struct connect_record *r)
{
	struct udp_flow key = {};
	u8 seen = 1;

	key.cookie = r->cookie;
	__builtin_memcpy(key.addr, r->addr, sizeof(key.addr));
	key.family = r->family;
	key.port = r->port;
	return bpf_map_update_elem(&udp_flows, &key, &seen, BPF_NOEXIST) == 0;
}

#include "policy.h"

/* Membership is the calling task's, never the socket's: a socket keeps the cgroup it was made in, so one made
 * before its process joined a job (or inherited from outside it) would otherwise go unseen. */
static __always_inline int observe(struct bpf_sock_addr *ctx, u32 kind, bool v6)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 job = job_of(pid_tgid >> 32);
	if (!job)
		return ALLOW;

	u32 protocol = ctx->protocol;
	if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
		return ALLOW;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 cookie = bpf_get_socket_cookie(ctx);
	u64 start_ns;
	u32 netns;
	if (kind == KIND_CONNECT) {
		start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
		netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
		remember_socket(cookie, pid_tgid >> 32, job, start_ns, netns);
	}

	struct connect_record r = {};
	r.kind = kind;
	r.job = job;
	r.protocol = protocol;
	r.port = bpf_ntohs((u16)ctx->user_port);
	r.cookie = cookie;
	if (v6) {
		destination6(ctx, &r);
	} else {
		u32 a = ctx->user_ip4;
		r.family = AF_INET;
		__builtin_memcpy(r.addr, &a, 4);
	}

	/* Prevent mode: DNS goes to the forwarder; any other destination off the job's allowlist is refused here, and
	 * reported. The verdict comes before the UDP flow dedup below, so every refused datagram is refused. */
	struct job_policy *policy = bpf_map_lookup_elem(&job_policies, &job);
	int here = NETNS_NONE;
	if (policy && (policy->mode == MODE_PREVENT || policy->mode == MODE_KILL))
		here = held_here(job, pid_tgid >> 32, task);
	if (policy && here != NETNS_NONE) {
		if (r.port == DNS_PORT && policy->dns_port) {
			redirect_dns(ctx, policy, cookie, &r, v6, BPF_CORE_READ(task, nsproxy, net_ns, ns.inum));
		} else if (here == NETNS_LISTENING && !destination_allowed(job, r.family, r.addr, r.port, protocol)) {
			r.kind = KIND_PREVENTED;
			if (protocol == IPPROTO_UDP && kind == KIND_CONNECT)
				r.flags |= CONNECT_UDP_CONNECT;
			else if (policy->mode == MODE_KILL)
				/* Kill mode: the caller dies now, before it can try another way; its job follows from the daemon. */
				bpf_send_signal(SIGKILL);
			r.time_ns = bpf_ktime_get_ns();
			r.pid = (u32)pid_tgid;
			r.tgid = pid_tgid >> 32;
			r.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
			r.netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
			if (bpf_ringbuf_output(&events, &r, sizeof(r), BPF_RB_FORCE_WAKEUP))
				count(COUNTER_CONNECTS_LOST);
			return 0;
		}
	}

	/* A UDP connect sends nothing: glibc's getaddrinfo connects one to every address it sorts. The datagrams of a
	 * connected UDP socket carry no address, so no sendmsg hook sees them: the capture reports their flow, and
	 * finds its owner by the socket remembered above. */
	if (protocol == IPPROTO_UDP && kind == KIND_CONNECT)
		return ALLOW;

	if (protocol == IPPROTO_UDP && !first_of_flow(&r))
		return ALLOW;

	if (kind == KIND_UDP_SEND) {
		start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
		netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
		remember_socket(cookie, pid_tgid >> 32, job, start_ns, netns);
	}

	r.time_ns = bpf_ktime_get_ns();
	r.pid = (u32)pid_tgid;
	r.tgid = pid_tgid >> 32;
	r.start_ns = start_ns;
	r.netns = netns;

	/* Rare next to forks and execs, and what a kill waits on: wake the reader now. A lost one is counted apart:
	 * a rescan brings processes back, never a connection. */
	if (bpf_ringbuf_output(&events, &r, sizeof(r), BPF_RB_FORCE_WAKEUP))
		count(COUNTER_CONNECTS_LOST);
	return ALLOW;
}

SEC("cgroup/connect4")
int buildsentry_connect4(struct bpf_sock_addr *ctx)
{
	return observe(ctx, KIND_CONNECT, false);
}

SEC("cgroup/connect6")
int buildsentry_connect6(struct bpf_sock_addr *ctx)
{
	return observe(ctx, KIND_CONNECT, true);
}

SEC("cgroup/sendmsg4")
int buildsentry_sendmsg4(struct bpf_sock_addr *ctx)
{
	return observe(ctx, KIND_UDP_SEND, false);
}

SEC("cgroup/sendmsg6")
int buildsentry_sendmsg6(struct bpf_sock_addr *ctx)
{
	return observe(ctx, KIND_UDP_SEND, true);
}

#endif
