// rr-demo-seed URL STREAM SUBJECTS COUNT: creates a 3-replica stream and
// publishes COUNT messages to it, for scripts/demo (the nats CLI is not a
// dependency of this project).
#include <chrono>
#include <iostream>
#include <thread>

#include "support/jetstream_seed.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: rr-demo-seed NATS_URL STREAM SUBJECTS COUNT\n";
    return 2;
  }
  try {
    rr::test::JetStreamTarget target{{argv[1]}, "", ""};
    std::string subjects = argv[3];
    // A new cluster needs a moment to elect its JetStream meta leader.
    for (int attempt = 1;; ++attempt) {
      try {
        rr::test::create_stream(target, argv[2], subjects, 3);
        break;
      } catch (const std::exception& e) {
        if (attempt >= 30) throw;
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }
    std::string subject = subjects;
    if (subject.size() >= 1 && subject.back() == '>') subject = subject.substr(0, subject.size() - 1) + "demo";
    rr::test::publish(target, subject, std::stoi(argv[4]));
    std::cout << "stream " << argv[2] << " created with " << argv[4] << " messages\n";
  } catch (const std::exception& e) {
    std::cerr << "rr-demo-seed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
