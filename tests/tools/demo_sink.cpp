// rr-demo-sink PORT DIR: a local stand-in for Slack's incoming webhooks for
// scripts/demo. Every POST to /slack/... is checked against Slack's limits
// (support/services), answered as Slack would ("ok", or 400 with Slack's
// error), saved as DIR/N.json, and announced on stdout in one line.
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>

#include "support/http_sink.h"
#include "support/services/services.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: rr-demo-sink PORT DIR\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  const std::string dir = argv[2];
  int received = 0;
  httplib::Server server;
  server.Post(R"(/slack/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    auto problems = rr::test::slack_violations(req.body);
    std::ofstream(dir + "/" + std::to_string(++received) + ".json") << req.body;
    if (!problems.empty()) {
      std::cout << "sink: Slack would refuse message " << received << ": " << problems.front() << std::endl;
      res.status = 400;
      res.set_content("invalid_blocks", "text/plain");
      return;
    }
    std::cout << "sink: Slack message " << received << " accepted (" << req.body.size() << " bytes, within Slack's limits)"
              << std::endl;
    res.set_content("ok", "text/plain");
  });
  if (!server.listen("127.0.0.1", std::stoi(argv[1]))) {
    std::cerr << "rr-demo-sink: cannot listen on 127.0.0.1:" << argv[1] << "\n";
    return 1;
  }
  return 0;
}
