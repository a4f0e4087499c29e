// The connection pool against a real three-node cluster: shared while fit,
// replaced when its server goes or it recorded an error, keyed by identity
// and credentials, and used by many step runs at once.

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <vector>

#include "steps/nats/connection_pool.h"
#include "steps/nats/json_read.h"
#include "steps/nats/sys_request.h"
#include "steps/step.h"
#include "support/nats_cluster.h"

namespace rr::nats {
namespace {

using namespace std::chrono_literals;

Deadline soon() { return Deadline::after(5s); }

}  // namespace

TEST_CASE("pool: one connection per cluster and identity, replaced when its server goes") {
  test::NatsCluster cluster(3);
  const ClusterConfig config = test::nats_cluster_config(cluster);
  ConnectionPool pool;

  OpenedConnection first = pool.lease(config, Identity::App, soon());
  REQUIRE(first.link);
  CHECK_FALSE(first.reused);
  CHECK(first.url == cluster.client_url(0));  // servers are tried in order
  OpenedConnection again = pool.lease(config, Identity::App, soon());
  CHECK(again.reused);
  CHECK(again.link == first.link);

  // Another identity, or the same one with other credentials (a reload), is
  // another connection.
  OpenedConnection sys = pool.lease(config, Identity::System, soon());
  REQUIRE(sys.link);
  CHECK(sys.link != first.link);
  ClusterConfig rotated = config;
  rotated.password = "app";
  rotated.user = "app";
  OpenedConnection other = pool.lease(rotated, Identity::App, soon());
  REQUIRE(other.link);
  CHECK_FALSE(other.reused);
  CHECK(other.link != first.link);
  CHECK(pool.stats().opened == 3);
  CHECK(pool.stats().reused == 1);

  // The server connected to stops: the next lease connects to the next one.
  first = {};
  again = {};
  cluster.stop(0);
  OpenedConnection moved = pool.lease(config, Identity::App, soon());
  REQUIRE(moved.link);
  CHECK_FALSE(moved.reused);
  CHECK(moved.url == cluster.client_url(1));
  CHECK(pool.stats().dropped == 1);
  // Its JetStream calls work (the cluster still has a quorum).
  cluster.wait_for_meta_leader();
  JsConnection js = JsConnection::open(config, soon(), &pool);
  REQUIRE(js.connected());
  CHECK(js.connection_facts()["connection_reused"] == true);
  CHECK_FALSE(js.streams(soon()).error.has_value());
}

TEST_CASE("pool: a connection that recorded an error is not lent again") {
  test::NatsCluster cluster(1);
  ClusterConfig config = test::nats_cluster_config(cluster);
  config.system_user = "jsro";  // may publish only JetStream API subjects
  config.system_password = "jsro";
  ConnectionPool pool;
  {
    SysConnection conn = SysConnection::open(config, soon(), &pool);
    REQUIRE(conn.connected());
    CHECK(conn.ping("VARZ", "", soon()).problem == SysProblem::NotPermitted);
  }
  SysConnection next = SysConnection::open(config, soon(), &pool);
  REQUIRE(next.connected());
  CHECK(next.connection_facts()["connection_reused"] == false);
  CHECK(pool.stats().dropped == 1);
}

TEST_CASE("pool: a connection idle for longer than the pool keeps them is closed") {
  test::NatsCluster cluster(1);
  const ClusterConfig config = test::nats_cluster_config(cluster);
  ConnectionPool pool(0ms);
  REQUIRE(pool.lease(config, Identity::App, soon()).link);
  // Any lease after it finds it idle for more than 0 ms (a clock tick apart
  // at least, since connecting takes time).
  OpenedConnection next = pool.lease(config, Identity::App, soon());
  REQUIRE(next.link);
  CHECK_FALSE(next.reused);
  CHECK(pool.stats().opened == 2);
}

TEST_CASE("pool: the step kinds of one registry share a connection, from many threads at once") {
  test::NatsCluster cluster(3);
  cluster.create_stream("ORDERS", "orders.>", 3);
  const ClusterConfig config = test::nats_cluster_config(cluster);
  const StepRegistry registry = default_step_registry();
  const StepKind* info = registry.find("nats.stream_info");
  const StepKind* list = registry.find("nats.stream_list");
  REQUIRE(info);
  REQUIRE(list);

  auto run = [&](const StepKind* kind) {
    StepInput input{"t", {{"stream", "ORDERS"}}, &config, Deadline::after(10s)};
    return kind->run(input);
  };
  const StepResult opening = run(info);
  REQUIRE(opening.status == StepStatus::Ok);
  CHECK(opening.facts["connection_reused"] == false);

  std::vector<std::future<StepResult>> runs;
  for (int i = 0; i < 16; ++i) runs.push_back(std::async(std::launch::async, run, i % 2 ? info : list));
  for (auto& f : runs) {
    const StepResult r = f.get();
    INFO(r.kind << ": " << r.summary);
    CHECK(r.status == StepStatus::Ok);
    CHECK(r.facts["connection_reused"] == true);
    CHECK(r.facts["reachable"] == true);
  }
}

TEST_CASE("pool: a server named by a host name is connected by the address the responder resolved") {
  test::NatsCluster cluster(1);
  ClusterConfig config = test::nats_cluster_config(cluster);
  std::string url = cluster.client_url(0);
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  config.servers = {url};
  ConnectionPool pool;
  // "localhost" may give ::1 first, where the server (on 127.0.0.1) refuses:
  // the next address is tried, as libnats' own lookup would have.
  OpenedConnection c = pool.lease(config, Identity::App, soon());
  INFO((c.attempts.empty() ? std::string() : c.attempts.front().error));
  REQUIRE(c.link);
  CHECK(c.url == url);  // reports name the server as configured
}

}  // namespace rr::nats
