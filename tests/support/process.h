#pragma once
// Test helpers for real servers: child processes (posix_spawn, no shell),
// free loopback ports and temporary directories, all torn down by RAII.

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rr::test {

// A child process. Killed (SIGTERM, then SIGKILL) and reaped on destruction.
class Process {
 public:
  Process() = default;
  // argv[0] is looked up on PATH. stdout and stderr go to `log_file` (appended).
  Process(std::vector<std::string> argv, const std::filesystem::path& log_file,
          const std::map<std::string, std::string>& extra_env = {});
  ~Process();
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int pid() const { return pid_; }
  bool running();
  // Sends SIGTERM and waits up to `grace`, then SIGKILL. Returns exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  void kill_now();  // SIGKILL and reap

 private:
  int pid_ = -1;
  int status_ = -1;
};

// Runs a command to completion (bounded by `timeout`), capturing stdout+stderr.
struct RunResult {
  int exit_code = -1;  // -1 on timeout or spawn failure
  std::string output;
};
RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(30),
              const std::string& stdin_data = "");

// A port on 127.0.0.1 that was free a moment ago, below the kernel's
// ephemeral range (so a server restarted on it finds it free again), and
// claimed against every other test process until this one ends.
int free_port();

// True once 127.0.0.1:port accepts a TCP connection, polling up to `timeout`.
bool wait_for_port(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// True once GET http://127.0.0.1:port/path answers `status`.
bool wait_for_http(int port, const std::string& path, int status = 200,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A fresh directory under $TMPDIR, removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The executable `name` as found on $PATH (absolute), or "" when none is.
std::string find_program(const std::string& name);

void write_file(const std::filesystem::path& path, const std::string& content);
std::string read_file(const std::filesystem::path& path);

}  // namespace rr::test
