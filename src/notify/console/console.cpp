#include "notify/console/console.h"

#include <iostream>
#include <mutex>

namespace rr {

namespace {

// One lock for the process: stdout is one stream however many targets use it.
std::mutex& console_mutex() {
  static std::mutex mu;
  return mu;
}

class ConsoleNotifier final : public Notifier {
 public:
  explicit ConsoleNotifier(std::ostream& out) : out_(out) {}

  Delivery send(const Message& message, Deadline /*deadline*/) override {
    std::string text = render_text(message.report);
    Delivery d;
    {
      std::lock_guard lock(console_mutex());
      out_ << text << '\n' << std::flush;
      d.ok = out_.good();
    }
    if (!d.ok) d.error = "console: write to the output stream failed";
    return d;
  }

 private:
  std::ostream& out_;
};

Result<std::unique_ptr<Notifier>> make(const NotifyTarget&) { return make_console_notifier(); }

}  // namespace

const TargetType kConsoleTarget{"console", {}, {}, {}, make};

std::unique_ptr<Notifier> make_console_notifier(std::ostream* out) {
  return std::make_unique<ConsoleNotifier>(out ? *out : std::cout);
}

}  // namespace rr
