/*
 * An open-loop HTTP/1.1 load generator for the ingest benchmark: requests are due on a fixed schedule
 * (rate per second), whatever the server's answers do, and each latency counts from the time the request
 * was due, not from when a connection was free to send it, so a stall is not hidden (no coordinated
 * omission); a request goes out at most 1 ms after it was due. wrk2 does this but is not packaged for
 * these machines; a JVM generator on the same two cores added 100 ms or more to its own p99. The
 * requests are not pipelined: each connection has at most one in flight.
 *
 * usage: openloop HOST PORT RATE SECONDS CONNECTIONS EXPECTED_STATUS REQUEST_FILE
 * REQUEST_FILE holds one whole request (request line, headers, blank line, body), sent as it is.
 * Prints one line: sent=N answered=N errors=N p50_ms=.. p90_ms=.. p99_ms=.. p999_ms=.. max_ms=..
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUFFER 65536
#define DRAIN_SECONDS 60

typedef struct {
    int fd;
    int busy;
    long request;      /* index of the request in flight */
    size_t written;
    char *in;
    size_t in_len;
} conn_t;

static char *request_bytes;
static size_t request_len;
static double *latencies;
static long total, answered, errors, next_due, *backlog, backlog_head, backlog_tail;
static int expected_status;
static long long start_ns;
static long rate;

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long due_ns(long index) {
    return start_ns + index * 1000000000LL / rate;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        perror("connect");
        exit(2);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Writes what the socket takes of the current request. */
static int send_some(conn_t *c) {
    while (c->written < request_len) {
        ssize_t n = write(c->fd, request_bytes + c->written, request_len - c->written);
        if (n < 0) {
            return errno == EAGAIN ? 0 : -1;
        }
        c->written += n;
    }
    return 0;
}

static void start_request(conn_t *c, long index) {
    c->busy = 1;
    c->request = index;
    c->written = 0;
    c->in_len = 0;
    if (send_some(c) != 0) {
        fprintf(stderr, "write failed\n");
        exit(2);
    }
}

/* A whole response in the buffer: its length in bytes, else 0. Content-Length bodies only, as the services send. */
static size_t response_length(conn_t *c, int *status) {
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (end == NULL) {
        return 0;
    }
    size_t head = end - c->in + 4;
    *status = atoi(c->in + 9);
    long body = 0;
    for (char *line = c->in; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) {
            body = atol(line + 15);
        } else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            fprintf(stderr, "a chunked response, which this generator does not read\n");
            exit(2);
        }
    }
    return c->in_len >= head + body ? head + body : 0;
}

/*
 * One unmeasured request on every connection, all at once, before the schedule starts: a server's first
 * request on a new connection costs more than the others, and a keep-alive client pays it once.
 */
static void prime(conn_t *conns, int connections) {
    for (int i = 0; i < connections; i++) {
        if (write(conns[i].fd, request_bytes, request_len) != (ssize_t) request_len) {
            fprintf(stderr, "priming write failed\n");
            exit(2);
        }
    }
    for (int i = 0; i < connections; i++) {
        conn_t *c = &conns[i];
        int status = 0;
        c->in_len = 0;
        while (response_length(c, &status) == 0) {
            ssize_t got = read(c->fd, c->in + c->in_len, READ_BUFFER - c->in_len);
            if (got <= 0) {
                fprintf(stderr, "no answer to a priming request\n");
                exit(2);
            }
            c->in_len += got;
        }
        if (status != expected_status) {
            fprintf(stderr, "a priming request was answered %d, not %d\n", status, expected_status);
            exit(2);
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: openloop HOST PORT RATE SECONDS CONNECTIONS EXPECTED_STATUS REQUEST_FILE\n");
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    rate = atol(argv[3]);
    total = rate * atol(argv[4]);
    int connections = atoi(argv[5]);
    expected_status = atoi(argv[6]);
    FILE *file = fopen(argv[7], "rb");
    if (file == NULL || rate <= 0 || total <= 0 || connections <= 0) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    fseek(file, 0, SEEK_END);
    request_len = ftell(file);
    rewind(file);
    request_bytes = malloc(request_len);
    if (fread(request_bytes, 1, request_len, file) != request_len) {
        return 2;
    }
    fclose(file);

    latencies = malloc(total * sizeof *latencies);
    for (long i = 0; i < total; i++) {
        latencies[i] = -1;
    }
    backlog = calloc(total, sizeof *backlog);
    conn_t *conns = calloc(connections, sizeof *conns);
    int *idle = calloc(connections, sizeof *idle);
    int idle_count = 0;
    int epoll = epoll_create1(0);
    for (int i = 0; i < connections; i++) {
        conns[i].fd = connect_to(host, port);
        conns[i].in = malloc(READ_BUFFER);
    }
    prime(conns, connections);
    for (int i = 0; i < connections; i++) {
        fcntl(conns[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, conns[i].fd, &ev);
        idle[idle_count++] = i;
    }

    struct epoll_event events[1024];
    start_ns = now_ns();
    long long give_up = due_ns(total) + DRAIN_SECONDS * 1000000000LL;
    while (answered < total && now_ns() < give_up) {
        long long now = now_ns();
        /* Requests whose time has come queue up; free connections take them oldest first. */
        while (next_due < total && due_ns(next_due) <= now) {
            backlog[backlog_tail++] = next_due++;
        }
        while (backlog_head < backlog_tail && idle_count > 0) {
            start_request(&conns[idle[--idle_count]], backlog[backlog_head++]);
        }
        /* At least 1 ms: requests due within it go out together, instead of spinning on a core the server needs. */
        long long wait_ns = next_due < total ? due_ns(next_due) - now : 100000000LL;
        int n = epoll_wait(epoll, events, 1024, wait_ns < 1000000 ? 1 : (int) (wait_ns / 1000000));
        for (int e = 0; e < n; e++) {
            conn_t *c = &conns[events[e].data.u32];
            if (!c->busy) {
                continue;
            }
            if ((events[e].events & EPOLLOUT) && send_some(c) != 0) {
                fprintf(stderr, "write failed\n");
                return 2;
            }
            for (;;) {
                ssize_t got = read(c->fd, c->in + c->in_len, READ_BUFFER - c->in_len);
                if (got == 0 || (got < 0 && errno != EAGAIN)) {
                    fprintf(stderr, "the server closed a connection\n");
                    return 2;
                }
                if (got < 0) {
                    break;
                }
                c->in_len += got;
                int status;
                if (response_length(c, &status) > 0) {
                    latencies[c->request] = (now_ns() - due_ns(c->request)) / 1e6;
                    answered++;
                    if (status != expected_status) {
                        errors++;
                    }
                    c->busy = 0;
                    idle[idle_count++] = (int) (c - conns);
                    break;
                }
            }
        }
    }

    long measured = answered;
    double *sorted = malloc(sizeof *sorted * (measured > 0 ? measured : 1));
    long k = 0;
    for (long i = 0; i < next_due; i++) {
        if (latencies[i] >= 0) {
            sorted[k++] = latencies[i];
        }
    }
    qsort(sorted, k, sizeof *sorted, by_value);
#define AT(q) (k > 0 ? sorted[(long) ((k - 1) * (q))] : 0)
    printf("sent=%ld answered=%ld errors=%ld p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f\n",
           next_due, answered, errors + (total - answered), AT(0.5), AT(0.9), AT(0.99), AT(0.999), AT(1.0));
    return 0;
}
