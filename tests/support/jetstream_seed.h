#pragma once
// Puts data into a real JetStream for tests and the demo: a stream, messages,
// a durable pull consumer. Through libnats; throws std::runtime_error with the
// server's text on failure.

#include <string>
#include <vector>

namespace rr::test {

struct JetStreamTarget {
  std::vector<std::string> servers;  // nats:// URLs
  std::string user, password;        // empty: no credentials
};

void create_stream(const JetStreamTarget& target, const std::string& stream, const std::string& subjects,
                   int replicas, long long max_bytes = -1);
void publish(const JetStreamTarget& target, const std::string& subject, int count, std::size_t size = 100);
void create_pull_consumer(const JetStreamTarget& target, const std::string& stream, const std::string& durable);

}  // namespace rr::test
