/*
 * Link delay for the BuildSentry network lab.
 *
 * This kernel has no netem qdisc, so the lab sends packets to an NFQUEUE (iptables-legacy) and
 * this program holds each one for the delay before accepting it. Packets are kept in arrival
 * order in a ring of (id, deadline) and released with one batch verdict per wake-up, so ordering
 * is preserved and no thread sleeps per packet. Copy mode is "metadata only": the payload never
 * leaves the kernel, which keeps bulk transfers cheap.
 *
 * usage: delayer QUEUE_NUM DELAY_MS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RING_SIZE (1u << 18) /* > queue maxlen, so the ring can never overflow */
#define QUEUE_MAXLEN 200000u

struct held { uint32_t id; uint64_t deadline_ns; };

static struct held ring[RING_SIZE];
static uint32_t head, tail; /* head: oldest; tail: next free; count = tail - head */
static uint64_t delay_ns;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
    (void)msg; (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    if (tail - head >= RING_SIZE)
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    ring[tail % RING_SIZE] = (struct held){ id, now_ns() + delay_ns };
    tail++;
    return 0;
}

/* Accepts every packet whose time has come with one batch verdict (ids are monotonic per queue). */
static void release_due(struct nfq_q_handle *qh)
{
    uint64_t now = now_ns();
    uint32_t last = 0;
    int any = 0;
    while (head != tail && ring[head % RING_SIZE].deadline_ns <= now) {
        last = ring[head % RING_SIZE].id;
        head++;
        any = 1;
    }
    if (any && nfq_set_verdict_batch(qh, last, NF_ACCEPT) < 0)
        perror("nfq_set_verdict_batch");
}

static void on_signal(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s QUEUE_NUM DELAY_MS\n", argv[0]);
        return 2;
    }
    int queue_num = atoi(argv[1]);
    delay_ns = (uint64_t)strtoull(argv[2], NULL, 10) * 1000000ull;

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct nfq_handle *h = nfq_open();
    if (h == NULL) { perror("nfq_open"); return 1; }
    /* Older kernels want a per-family bind; newer ones ignore it, so failures are harmless. */
    nfq_bind_pf(h, AF_INET);
    nfq_bind_pf(h, AF_INET6);
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue_num, &on_packet, NULL);
    if (qh == NULL) { perror("nfq_create_queue"); return 1; }
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) { perror("nfq_set_mode"); return 1; }
    nfq_set_queue_maxlen(qh, QUEUE_MAXLEN);
    /* Without F_GSO the kernel would segment every GSO super-packet in software before queueing. */
    nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);

    int fd = nfq_fd(h);
    nfnl_rcvbufsiz(nfq_nfnlh(h), 64u << 20);
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);

    static char buf[65536] __attribute__((aligned));
    fprintf(stderr, "delayer: queue %d, %llu ms\n", queue_num, (unsigned long long)(delay_ns / 1000000ull));
    while (!stopping) {
        struct timespec timeout, *tp = NULL;
        if (head != tail) {
            uint64_t now = now_ns(), due = ring[head % RING_SIZE].deadline_ns;
            uint64_t wait = due > now ? due - now : 0;
            timeout.tv_sec = (time_t)(wait / 1000000000ull);
            timeout.tv_nsec = (long)(wait % 1000000000ull);
            tp = &timeout;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = ppoll(&pfd, 1, tp, NULL);
        if (ready < 0 && errno != EINTR) { perror("ppoll"); return 1; }
        if (ready > 0) {
            for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0) {
                    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ENOBUFS)
                        perror("recv");
                    break;
                }
                nfq_handle_packet(h, buf, (int)n);
            }
        }
        release_due(qh);
    }
    /* Accept whatever is still held so shutting the delayer down does not drop packets. */
    if (head != tail)
        nfq_set_verdict_batch(qh, ring[(tail - 1) % RING_SIZE].id, NF_ACCEPT);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
