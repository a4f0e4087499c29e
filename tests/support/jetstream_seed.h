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

// Publishes `size`-byte messages to `subject` until the server refuses one
// or `max_count` were accepted. `error` is libnats' text for the refusal
// ("" when none), `js_code` the JetStream error code (10077 for a full
// stream with discard new).
struct PublishRefusal {
  int accepted = 0;
  std::string error;
  int js_code = 0;
};
PublishRefusal publish_until_refused(const JetStreamTarget& target, const std::string& subject, int max_count,
                                     std::size_t size = 100);

// Fetches up to `count` messages from the existing durable pull consumer
// and acknowledges none of them; returns how many arrived.
int fetch_without_ack(const JetStreamTarget& target, const std::string& stream, const std::string& durable,
                      const std::string& subject, int count);

}  // namespace rr::test
