#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "net/http.h"

extern char** environ;

namespace rr::test {
namespace {

// posix_spawn file actions and attributes, owned.
struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

std::vector<std::string> environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto key = kv.substr(0, kv.find('='));
    if (!extra.count(key)) env.push_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int spawn(std::vector<std::string> argv, SpawnActions& fa, const std::map<std::string, std::string>& extra_env) {
  auto env = environment(extra_env);
  auto argp = pointers(argv);
  auto envp = pointers(env);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so stopping the child also stops what it starts.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, argp[0], &fa.actions, &attr, argp.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

Process::Process(std::vector<std::string> argv, const std::filesystem::path& log_file,
                 const std::map<std::string, std::string>& extra_env) {
  SpawnActions fa;
  posix_spawn_file_actions_addopen(&fa.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa.actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa.actions, 1, 2);
  pid_ = spawn(std::move(argv), fa, extra_env);
}

Process::~Process() {
  if (pid_ > 0) stop(std::chrono::seconds(3));
}

Process::Process(Process&& other) noexcept : pid_(other.pid_), status_(other.status_) { other.pid_ = -1; }

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) stop(std::chrono::seconds(3));
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

bool Process::running() {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (!running()) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_now();
  return -1;
}

void Process::kill_now() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  status_ = status;
  pid_ = -1;
}

RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const std::string& stdin_data) {
  RunResult result;
  int out_pipe[2], in_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return result;
  if (pipe2(in_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  SpawnActions fa;
  posix_spawn_file_actions_adddup2(&fa.actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa.actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa.actions, out_pipe[1], 2);
  int pid;
  try {
    pid = spawn(argv, fa, {});
  } catch (const std::exception& e) {
    result.output = e.what();
    for (int fd : {out_pipe[0], out_pipe[1], in_pipe[0], in_pipe[1]}) close(fd);
    return result;
  }
  close(out_pipe[1]);
  close(in_pipe[0]);
  // Feed stdin from a thread so a child that writes a lot first cannot deadlock us.
  std::thread feeder([fd = in_pipe[1], stdin_data] {
    std::size_t off = 0;
    signal(SIGPIPE, SIG_IGN);
    while (off < stdin_data.size()) {
      auto n = write(fd, stdin_data.data() + off, stdin_data.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(fd);
  });
  auto until = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out_pipe[0], POLLIN, 0};
    int pr = poll(&p, 1, static_cast<int>(left.count()));
    if (pr <= 0) continue;
    auto n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  close(out_pipe[0]);
  if (timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  feeder.join();
  result.exit_code = timed_out ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return result;
}

namespace {

// The kernel's range for the local ports of outgoing connections. A port in
// it can be taken by any connect() on the machine the moment its server stops,
// and then that server cannot start again on it ("address already in use").
std::pair<int, int> ephemeral_range() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768, high = 60999;
  if (!(in >> low >> high) || low > high) return {32768, 60999};
  return {low, high};
}

// True when nothing holds 127.0.0.1:port (no SO_REUSEADDR: a port in
// TIME_WAIT counts as held too).
bool bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// Claims `port` for this process among all test processes on the machine (CTest
// runs several at once): an exclusive lock on a file named after it, held until
// the process ends, when the kernel drops it, whatever the way it ended.
bool claim_across_processes(int port) {
  const char* base = std::getenv("TMPDIR");
  const std::string dir = std::string(base && *base ? base : "/tmp") + "/rr-test-ports";
  mkdir(dir.c_str(), 0777);
  const std::string file = dir + "/" + std::to_string(port);
  int fd = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  return true;  // fd stays open on purpose: it is the claim
}

}  // namespace

int free_port() {
  // Ports below the ephemeral range, so that a test server stopped and started
  // again (a node restart) finds its port still free; claimed across test
  // processes, and never handed out twice within one.
  static std::mutex mu;
  static std::set<int> given;
  static std::mt19937 pick(static_cast<unsigned>(getpid()) ^
                           static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::lock_guard lock(mu);
  const auto [ephemeral_low, ephemeral_high] = ephemeral_range();
  int low = 10000, high = ephemeral_low - 1;
  if (high - low < 1000) low = ephemeral_high + 1, high = 65535;  // an unusual range: use what lies above it
  std::uniform_int_distribution<int> in_range(low, high);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = in_range(pick);
    if (given.count(port) || !bindable(port) || !claim_across_processes(port)) continue;
    given.insert(port);
    return port;
  }
  throw std::runtime_error("no free port found outside the ephemeral range");
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool wait_for_http(int port, const std::string& path, int status, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto r = rr::http_request(rr::HttpRequest{.url = "http://127.0.0.1:" + std::to_string(port) + path},
                              rr::Deadline::after(std::chrono::seconds(1)));
    if (r.status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/rr-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot write " + path.string());
  f << content;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace rr::test
