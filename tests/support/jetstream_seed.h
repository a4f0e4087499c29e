#pragma once
// Puts data into a real JetStream for tests and the demo: a stream, messages,
// a durable pull consumer. Through libnats; throws std::runtime_error with the
// server's text on failure.

#include <cstdint>
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

// Fetches up to `count` messages from the existing durable pull consumer;
// returns how many arrived. With `ack`, acknowledges each one and waits for
// the server to confirm, so the consumer's ack floor has moved on return.
int fetch(const JetStreamTarget& target, const std::string& stream, const std::string& durable,
          const std::string& subject, int count, bool ack);
inline int fetch_without_ack(const JetStreamTarget& target, const std::string& stream, const std::string& durable,
                             const std::string& subject, int count) {
  return fetch(target, stream, durable, subject, count, false);
}

// A stream's state as the server reports it.
struct StreamUsage {
  std::uint64_t messages = 0, bytes = 0, first_seq = 0, last_seq = 0;
};
StreamUsage stream_usage(const JetStreamTarget& target, const std::string& stream);

// Purges all but the newest `keep` messages, as `nats stream purge --keep` does.
void purge_stream(const JetStreamTarget& target, const std::string& stream, std::uint64_t keep);

// The stream sequence up to which the consumer has acknowledged everything.
std::uint64_t ack_floor(const JetStreamTarget& target, const std::string& stream, const std::string& durable);

}  // namespace rr::test
