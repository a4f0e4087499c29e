// rr-bare-httplib: the intake benchmark's baseline. A bare cpp-httplib server
// that reads the body of POST /webhook and answers 200, with the same server
// settings the responder's intake uses (src/intake/http/server.cpp):
// TCP_NODELAY (without it each answer waits ~40 ms for a delayed ACK), 8
// worker threads, a 1 MiB body limit, 5 s read, write and keep-alive timeouts,
// SO_REUSEADDR without SO_REUSEPORT and a listen backlog of SOMAXCONN. What the
// responder does beyond this (validation, journaling, queueing) is what the
// ratio responder/bare measures.
//
// Run: rr-bare-httplib PORT [THREADS]   (listens on 127.0.0.1; GET /healthz answers 200)

#include <httplib.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr std::size_t kBodyLimit = 1 << 20;
constexpr time_t kTimeoutSeconds = 5;

class Server : public httplib::Server {
 public:
  void raise_backlog() {
    socket_t sock = svr_sock_;
    if (sock != INVALID_SOCKET) ::listen(sock, SOMAXCONN);
  }
};

Server* running = nullptr;

void on_signal(int) {
  if (running) running->stop();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rr-bare-httplib PORT [THREADS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::size_t threads = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 8;

  Server svr;
  svr.set_tcp_nodelay(true);
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.set_payload_max_length(kBodyLimit);
  svr.set_read_timeout(kTimeoutSeconds);
  svr.set_write_timeout(kTimeoutSeconds);
  svr.set_keep_alive_timeout(kTimeoutSeconds);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  svr.Post("/webhook", [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader& reader) {
    std::string body;
    reader([&](const char* data, std::size_t n) {
      if (body.size() + n > kBodyLimit) return false;
      body.append(data, n);
      return true;
    });
    res.set_content("{\"status\":\"queued\"}", "application/json");
  });
  svr.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });

  if (!svr.bind_to_port("127.0.0.1", port)) {
    std::fprintf(stderr, "rr-bare-httplib: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  svr.raise_backlog();
  running = &svr;
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  svr.listen_after_bind();
  return 0;
}
