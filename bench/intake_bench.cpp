// rr-bench: speed of the intake's payload validation, as a ratio against a
// baseline measured in the same run (nlohmann::json::parse of the same
// bytes, which validation cannot beat). Run: build/rr-bench [iterations].
// Targets are ratios, never absolute times, so the numbers hold on any machine.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "intake/payload/notification.h"

namespace {

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

template <class Fn>
double seconds(int iterations, Fn fn) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = argc > 1 ? std::atoi(argv[1]) : 20000;
  std::string body = read(std::string(RR_SOURCE_DIR) + "/tests/fixtures/alertmanager/b-alert-joins-group.json");
  if (body.empty()) {
    std::fprintf(stderr, "rr-bench: sample payload not found\n");
    return 1;
  }
  std::size_t sink = 0;
  double baseline = seconds(iterations, [&] { sink += nlohmann::json::parse(body).size(); });
  double intake = seconds(iterations, [&] { sink += rr::parse_notification(body).ok(); });
  std::printf("payload %zu bytes, %d iterations\n", body.size(), iterations);
  std::printf("baseline json parse : %8.2f us/payload\n", baseline / iterations * 1e6);
  std::printf("parse_notification  : %8.2f us/payload\n", intake / iterations * 1e6);
  std::printf("ratio (target <= 4) : %8.2f\n", intake / baseline);
  return sink == 0 ? 1 : 0;
}
