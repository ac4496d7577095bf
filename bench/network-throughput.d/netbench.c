/* netbench: the two ends of bench/network-throughput, built static so the
 * same binary runs on the host and inside any rootfs.
 *
 *   netbench sink PORT
 *       listen on 0.0.0.0:PORT, print "ready", take one connection, read
 *       until EOF, answer with the number of bytes read, exit 0.
 *   netbench send PORT BYTES SECONDS
 *       connect to 127.0.0.1:PORT, send BYTES (or stop after SECONDS), shut
 *       down the sending side, wait for the sink's count, and print
 *       "BYTES_CONFIRMED SECONDS_ELAPSED": the time covers delivery to the
 *       sink, not just the local socket buffer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sink(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 1) != 0) {
    perror("netbench sink: listen");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  int c = accept(fd, NULL, NULL);
  if (c < 0) {
    perror("netbench sink: accept");
    return 1;
  }
  static char buf[CHUNK];
  unsigned long long total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += (unsigned long long)n;
  }
  char reply[32];
  int len = snprintf(reply, sizeof reply, "%llu\n", total);
  if (write(c, reply, (size_t)len) != len) return 1;
  close(c);
  return 0;
}

static int send_bytes(int port, unsigned long long bytes, double seconds) {
  signal(SIGPIPE, SIG_IGN); /* a reset connection is reported, not fatal */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    perror("netbench send: connect");
    return 1;
  }
  static char buf[CHUNK];
  memset(buf, 'x', sizeof buf);
  const double start = now();
  unsigned long long sent = 0;
  while (sent < bytes && now() - start < seconds) {
    size_t want = bytes - sent < sizeof buf ? (size_t)(bytes - sent) : sizeof buf;
    ssize_t n = write(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      perror("netbench send: write");
      return 1;
    }
    sent += (unsigned long long)n;
  }
  shutdown(fd, SHUT_WR);
  char reply[32] = {0};
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  const double elapsed = now() - start;
  unsigned long long confirmed = strtoull(reply, NULL, 10);
  if (confirmed != sent) {
    fprintf(stderr, "netbench send: sent %llu bytes, the sink confirmed %llu\n", sent, confirmed);
    return 1;
  }
  printf("%llu %.6f\n", confirmed, elapsed);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "sink") == 0) return sink(atoi(argv[2]));
  if (argc == 5 && strcmp(argv[1], "send") == 0)
    return send_bytes(atoi(argv[2]), strtoull(argv[3], NULL, 10), atof(argv[4]));
  fprintf(stderr, "usage: netbench sink PORT | netbench send PORT BYTES SECONDS\n");
  return 2;
}
