/* BuildSentry's prevent mode in the kernel: a job whose policy says prevent may connect and send only to the
 * destinations its allowlist holds; anything else fails with EPERM before a packet leaves. Its DNS (port 53, UDP and
 * TCP) goes to the daemon's forwarder instead of the server it asked, and that server is put back as the source of
 * the answers (recvmsg) and as the peer (getpeername), so resolvers accept them. Included by connect.h; the map
 * layouts are written by KernelPolicy.cs: change both together. */
#ifndef BUILDSENTRY_POLICY_H
#define BUILDSENTRY_POLICY_H

#include "jobpolicy.h"

#define KIND_PREVENTED 7

/* A job's allowed prefix: slot, then the address as IPv6 (IPv4 as ::ffff:a.b.c.d), prefixlen counting both. */
struct allow_key {
	u32 prefixlen;
	u32 slot;
	u8 addr[16];
};

struct port_range {
	u16 first;
	u16 last;
};

/* The longest prefix decides alone, so user space gives each prefix the union of every rule that covers it. */
struct allow_value {
	u64 expires_ns; /* CLOCK_MONOTONIC; 0: for the job's life (a CIDR rule) */
	u32 protocols;
	u32 count; /* ranges in use; 0 with protocols set: every port */
	struct port_range ranges[ALLOW_RANGES];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct allow_key);
	__type(value, struct allow_value);
} allowed SEC(".maps");

/* The DNS server a redirected socket asked, by socket cookie: what recvmsg and getpeername give back. */
struct dns_origin {
	u16 family;
	u16 port; /* network byte order */
	u16 via_port; /* the forwarder's, network byte order: only what comes from it is rewritten */
	u16 zero;
	u8 addr[16]; /* network byte order; IPv4 in the first four bytes */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);
	__type(value, struct dns_origin);
} dns_origins SEC(".maps");

/* The socket behind a redirected DNS datagram, by the port it sent from in its network namespace: a process that
 * sends one query and exits has closed its socket before the forwarder can find it by sock_diag. */
struct dns_client {
	u32 netns;
	u16 family; /* as the forwarder sees the client: AF_INET for a dual-stack socket asking an IPv4 server */
	u16 port; /* host byte order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct dns_client);
	__type(value, u64);
} dns_clients SEC(".maps");

static __always_inline bool port_allowed(const struct allow_value *v, u16 port, u32 protocol)
{
	u32 bit = protocol == IPPROTO_TCP ? PROTOCOL_TCP_BIT : PROTOCOL_UDP_BIT;
	if (!(v->protocols & bit))
		return false;
	if (v->count == 0)
		return true;

#pragma unroll
	for (int i = 0; i < ALLOW_RANGES; i++) {
		if (i < v->count && port >= v->ranges[i].first && port <= v->ranges[i].last)
			return true;
	}
	return false;
}

/* Whether the job's allowlist has the destination (family AF_INET or AF_INET6 after IPv4-mapped became IPv4). */
static __always_inline bool destination_allowed(u32 job, u16 family, const u8 *addr, u16 port, u32 protocol)
{
	struct allow_key key = {};
	key.prefixlen = 32 + 128;
	key.slot = job;
	if (family == AF_INET) {
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(key.addr + 12, addr, 4);
	} else {
		__builtin_memcpy(key.addr, addr, 16);
	}

	struct allow_value *v = bpf_map_lookup_elem(&allowed, &key);
	if (!v)
		return false;
	if (v->expires_ns && v->expires_ns < bpf_ktime_get_ns())
		return false;
	return port_allowed(v, port, protocol);
}

/* Sends the socket's DNS to the forwarder, remembering the server it asked. v4_mapped: a dual-stack socket's IPv4
 * server, which must stay an IPv4-mapped address. */
static __always_inline void redirect_dns(struct bpf_sock_addr *ctx, const struct job_policy *policy, u64 cookie,
					 const struct connect_record *r, bool v6, u32 netns)
{
	struct dns_origin origin = {};
	origin.family = v6 ? AF_INET6 : AF_INET;
	origin.port = (u16)ctx->user_port;
	origin.via_port = bpf_htons(policy->dns_port);
	if (v6) {
		u32 a0 = ctx->user_ip6[0], a1 = ctx->user_ip6[1], a2 = ctx->user_ip6[2], a3 = ctx->user_ip6[3];
		__builtin_memcpy(origin.addr, &a0, 4);
		__builtin_memcpy(origin.addr + 4, &a1, 4);
		__builtin_memcpy(origin.addr + 8, &a2, 4);
		__builtin_memcpy(origin.addr + 12, &a3, 4);
	} else {
		u32 a = ctx->user_ip4;
		__builtin_memcpy(origin.addr, &a, 4);
	}
	bpf_map_update_elem(&dns_origins, &cookie, &origin, BPF_ANY);

	/* A UDP socket has its port by the time it sends (connect binds it only later, and a TCP asker's socket stays
	 * open until the forwarder has read its query). */
	struct bpf_sock *sk = ctx->sk;
	if (r->kind == KIND_UDP_SEND && sk && sk->src_port) {
		struct dns_client client = {};
		client.netns = netns;
		client.family = v6 && !(r->flags & CONNECT_V4_MAPPED) ? AF_INET6 : AF_INET;
		client.port = (u16)sk->src_port;
		bpf_map_update_elem(&dns_clients, &client, &cookie, BPF_ANY);
	}

	ctx->user_port = bpf_htons(policy->dns_port);
	if (!v6) {
		ctx->user_ip4 = policy->dns_ip4;
	} else if (r->flags & CONNECT_V4_MAPPED) {
		ctx->user_ip6[0] = 0;
		ctx->user_ip6[1] = 0;
		ctx->user_ip6[2] = bpf_htonl(0xffff);
		ctx->user_ip6[3] = policy->dns_ip4;
	} else {
		ctx->user_ip6[0] = policy->dns_ip6[0];
		ctx->user_ip6[1] = policy->dns_ip6[1];
		ctx->user_ip6[2] = policy->dns_ip6[2];
		ctx->user_ip6[3] = policy->dns_ip6[3];
	}
}

/* The answer of a redirected socket comes from the server it asked (recvmsg), and so does its peer (getpeername). */
static __always_inline int restore_dns(struct bpf_sock_addr *ctx, bool v6)
{
	u64 cookie = bpf_get_socket_cookie(ctx);
	struct dns_origin *origin = bpf_map_lookup_elem(&dns_origins, &cookie);
	if (!origin || (u16)ctx->user_port != origin->via_port)
		return 1;

	ctx->user_port = origin->port;
	if (!v6 && origin->family == AF_INET) {
		u32 a;
		__builtin_memcpy(&a, origin->addr, 4);
		ctx->user_ip4 = a;
	} else if (v6 && origin->family == AF_INET6) {
		u32 a0, a1, a2, a3;
		__builtin_memcpy(&a0, origin->addr, 4);
		__builtin_memcpy(&a1, origin->addr + 4, 4);
		__builtin_memcpy(&a2, origin->addr + 8, 4);
		__builtin_memcpy(&a3, origin->addr + 12, 4);
		ctx->user_ip6[0] = a0;
		ctx->user_ip6[1] = a1;
		ctx->user_ip6[2] = a2;
		ctx->user_ip6[3] = a3;
	}
	return 1;
}

SEC("cgroup/recvmsg4")
int buildsentry_recvmsg4(struct bpf_sock_addr *ctx)
{
	return restore_dns(ctx, false);
}

SEC("cgroup/recvmsg6")
int buildsentry_recvmsg6(struct bpf_sock_addr *ctx)
{
	return restore_dns(ctx, true);
}

SEC("cgroup/getpeername4")
int buildsentry_getpeername4(struct bpf_sock_addr *ctx)
{
	return restore_dns(ctx, false);
}

SEC("cgroup/getpeername6")
int buildsentry_getpeername6(struct bpf_sock_addr *ctx)
{
	return restore_dns(ctx, true);
}

#endif
