#pragma once
// Command output the host parsers' tests and the host judges' tests share:
// what journalctl, docker logs, systemctl status, df, find and docker ps
// print on a NATS host (header-only; not part of the library).

#include <string>

namespace rr::host::samples {

// journalctl -u nats -o short-iso on n1 while n3 goes away and the disk fills.
inline const std::string kShortIso =
    "-- Journal begins at Mon 2026-11-02 08:00:01 UTC, ends at Mon 2026-11-23 00:40:00 UTC. --\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.620287 [INF] "
    "10.0.0.3:6222 - rid:7 - Router connection closed: Client Closed\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.621002 [INF] "
    "JetStream cluster new stream leader for 'APP > CIM-EVENTS'\n"
    "2026-11-23T00:32:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:13.630000 [INF] "
    "Self is new JetStream cluster metadata leader\n"
    "2026-11-23T00:32:14+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:14.700000 [ERR] "
    "Error trying to connect to route (attempt 1): dial nats-route://ruser:T0pS3cretRoute@10.0.0.3:6222: "
    "connect: connection refused\n"
    "2026-11-23T00:32:15+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:15.700000 [ERR] "
    "Error trying to connect to route (attempt 2): dial tcp 10.0.0.3:6222: connect: connection refused\n"
    "2026-11-23T00:32:15+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:32:15.800000 [INF] "
    "JetStream cluster new consumer leader for 'APP > CIM-EVENTS > CIM-PROCESSOR'\n"
    "2026-11-23T00:33:01+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:01.000000 [WRN] "
    "JetStream resource limits exceeded for account: \"APP\"\n"
    "2026-11-23T00:33:02+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:02.000000 [ERR] "
    "JetStream resource limits exceeded for server\n"
    "2026-11-23T00:33:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:05.000000 [ERR] "
    "JetStream out of space, will be DISABLED\n"
    "2026-11-23T00:33:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:05.500000 [WRN] "
    "RAFT [yrzKKRBu - S-R3F-tA4jp2vG] Error storing entry to WAL: write /var/lib/nats/jetstream/$SYS/_js_/"
    "S-R3F-tA4jp2vG/msgs/1.blk: no space left on device\n"
    "2026-11-23T00:33:06+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:06.000000 [WRN] "
    "RAFT [yrzKKRBu - _meta_] Error sending snapshot to follower [cnrtt3eg]: raft: no snapshot available\n"
    "2026-11-23T00:33:07+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:07.000000 [WRN] "
    "JetStream failed to store a msg on stream 'APP > CIM-EVENTS': insufficient resources\n"
    "2026-11-23T00:33:10+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:33:10.000000 [WRN] "
    "Healthcheck failed: \"JetStream stream 'APP > CIM-EVENTS' is not current\"\n"
    "2026-11-23T00:34:00+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:00.000000 [INF] "
    "10.0.0.9:51234 - cid:17 - \"v3.4.1:c:titan\" - Slow Consumer Detected: WriteDeadline of 10s exceeded "
    "with 3 chunks of 98304 total bytes.\n"
    "2026-11-23T00:34:05+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:05.000000 [ERR] "
    "10.0.0.9:51240 - cid:18 - \"v3.4.1:c\" - authentication error\n"
    "2026-11-23T00:34:06+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:06.000000 [ERR] "
    "10.0.0.9:51241 - cid:19 - \"v3.4.1:c\" - Publish Violation - User \"titan\", Subject "
    "\"$JS.API.STREAM.DELETE.CIM-EVENTS\"\n"
    "2026-11-23T00:34:07+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:34:07.000000 [INF] "
    "10.0.0.2:6222 - rid:8 - Router connection closed: Duplicate Route\n"
    "2026-11-23T00:35:13+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:35:13.000000 [INF] "
    "10.0.0.2:6222 - rid:9 - Router connection closed: Read Error\n"
    "2026-11-23T00:35:14+0000 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:35:14.000000 [INF] "
    "Server is ready\n";

// journalctl -u nats (default short format) on n2 with quorum lost.
inline const std::string kShort =
    "Nov 23 00:40:01 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:01.100000 [WRN] JetStream "
    "cluster stream 'APP > CIM-EVENTS' has NO quorum, stalled\n"
    "Nov 23 00:40:02 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:02.100000 [WRN] JetStream "
    "cluster consumer 'APP > CIM-EVENTS > CIM-PROCESSOR' has NO quorum, stalled\n"
    "Nov 23 00:40:03 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:03.100000 [WRN] JetStream "
    "cluster no metadata leader\n"
    "Nov 23 00:40:04 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:04.100000 [WRN] Catchup for "
    "stream 'APP > CIM-EVENTS' stalled\n"
    "Nov 23 00:40:05 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:05.100000 [WRN] Catchup for "
    "stream 'APP > CIM-EVENTS' errored, will retry: timeout\n"
    "Nov 23 00:40:06 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:06.100000 [INF] Catchup for "
    "stream 'APP > CIM-EVENTS' complete\n"
    "Nov 23 00:40:07 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:07.100000 [ERR] Remote server "
    "has a duplicate name: \"n2\"\n"
    "Nov 23 00:40:08 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:08.100000 [ERR] 10.0.0.8:6222 "
    "- rid:12 - Rejecting connection, cluster name \"cim-old\" does not match \"cim\"\n"
    "Nov 23 00:40:09 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:09.100000 [INF] "
    "10.0.0.50:7422 - lid:4 - Leafnode connection closed: Client Closed account: APP\n"
    "Nov 23 00:40:10 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:10.100000 [INF] 10.0.0.1:6222 "
    "- rid:9 - Router connection closed: Stale Connection\n"
    "Nov 23 00:40:11 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:11.100000 [WRN] 10.0.0.9:4222 "
    "- cid:30 - Readloop processing time: 2.5s\n"
    "Nov 23 00:40:12 nats-cluster-2 nats-server[2222]: [2222] 2026/11/23 00:40:12.100000 [INF] JetStream "
    "cluster new metadata leader: n1/cim\n";

// docker logs titan-nats --tail 50 (the server logs to stderr with its own prefix).
inline const std::string kDocker =
    "[1] 2026/11/23 00:50:00.000001 [INF] Starting nats-server\n"
    "[1] 2026/11/23 00:50:00.000002 [INF]   Version:  2.9.10\n"
    "[1] 2026/11/23 00:50:03.123456 [INF] 172.18.0.3:6222 - rid:4 - Router connection closed: Client Closed\n"
    "[1] 2026/11/23 00:50:04.000000 [INF] 172.18.0.3:6222 - rid:5 - Router connection closed: Server Shutdown\n"
    "[1] 2026/11/23 00:50:05.654321 [INF] 172.18.0.4:6222 - rid:6 - Router connection closed: Client Closed\n"
    "[1] 2026/11/23 00:50:06.000000 [INF] JetStream cluster new metadata leader: n2/cim\n";

inline const std::string kRunning =
    "\xE2\x97\x8F nats.service - NATS Server\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; vendor preset: enabled)\n"
    "     Active: active (running) since Mon 2026-11-23 00:30:01 UTC; 2min 12s ago\n"
    "       Docs: https://docs.nats.io\n"
    "   Main PID: 1234 (nats-server)\n"
    "      Tasks: 12 (limit: 4915)\n"
    "     Memory: 20.1M\n"
    "        CPU: 1.234s\n"
    "     CGroup: /system.slice/nats.service\n"
    "             \xE2\x94\x94\xE2\x94\x80" "1234 /usr/sbin/nats-server -c /etc/nats-server.conf\n"
    "\n"
    "Nov 23 00:30:01 nats-cluster-1 systemd[1]: Started NATS Server.\n"
    "Nov 23 00:30:01 nats-cluster-1 nats-server[1234]: [1234] 2026/11/23 00:30:01.000001 [INF] Server is ready\n";

inline const std::string kFailed =
    "\xC3\x97 nats.service - NATS Server\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; preset: enabled)\n"
    "     Active: failed (Result: exit-code) since Mon 2026-11-23 00:31:02 UTC; 5s ago\n"
    "   Duration: 1min 1.050s\n"
    "    Process: 1234 ExecStart=/usr/sbin/nats-server -c /etc/nats-server.conf (code=exited, status=1/FAILURE)\n"
    "   Main PID: 1234 (code=exited, status=1/FAILURE)\n"
    "        CPU: 25ms\n"
    "\n"
    "Nov 23 00:31:02 nats-cluster-1 nats-server[1234]: nats-server: /etc/nats-server.conf:12:3: "
    "password: \"hunter2\" unknown field\n"
    "Nov 23 00:31:02 nats-cluster-1 systemd[1]: nats.service: Main process exited, code=exited, "
    "status=1/FAILURE\n"
    "Nov 23 00:31:02 nats-cluster-1 systemd[1]: nats.service: Failed with result 'exit-code'.\n";

// systemctl status while systemd restarts the unit in a loop (CRLF line ends).
inline const std::string kRestarting =
    "\xE2\x86\xBB nats.service - NATS Server\r\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; enabled; vendor preset: enabled)\r\n"
    "     Active: activating (auto-restart) (Result: exit-code) since Mon 2026-11-23 00:31:07 UTC; 3s ago\r\n"
    "    Process: 1250 ExecStart=/usr/sbin/nats-server -c /etc/nats-server.conf (code=exited, status=1/FAILURE)\r\n"
    "   Main PID: 1250 (code=exited, status=1/FAILURE)\r\n";

// systemctl status of a stopped, disabled unit.
inline const std::string kDead =
    "\xE2\x97\x8B nats.service - NATS Server\n"
    "     Loaded: loaded (/lib/systemd/system/nats.service; disabled; vendor preset: enabled)\n"
    "     Active: inactive (dead)\n";

// The two wordings of a unit that does not exist.
inline const std::string kNotFound = "Unit nats.service could not be found.\n";
inline const std::string kNotFoundLoaded =
    "\xE2\x97\x8B nats.service\n"
    "     Loaded: not-found (Reason: Unit nats.service not found.)\n"
    "     Active: inactive (dead)\n";

// df -h /var/lib/nats, the runbook's step, on a nearly full store.
inline const std::string kDfH =
    "Filesystem      Size  Used Avail Use% Mounted on\n"
    "/dev/sdb1        50G   48G  2.6G  95% /var/lib/nats\n";

// df -P: 1024-blocks and Capacity.
inline const std::string kDfP =
    "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
    "/dev/sda1         51474912 41179930  10294982      80% /\n"
    "tmpfs              8156892        0   8156892       0% /dev/shm\n";

// find /var/lib/nats/jetstream -name '*.snap' -mtime +7 -printf '%s %TY-%Tm-%Td %p\n'
// (find lists in directory order, not by date; one path holds a space).
inline const std::string kFindSnapshots =
    "1048576 2026-11-10 /var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/17.snap\n"
    "536870912 2026-10-02 /var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/9.snap\n"
    "2048 2026-11-14 /var/lib/nats/jetstream/APP/streams/old copy/snapshots/3.snap\n";

// docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Status}}\t{{.Image}}' on a Titan host
// whose NATS container exited.
inline const std::string kDockerPs =
    "titan-api\trunning\tUp 3 hours (healthy)\ttitan/api:4.2.1\n"
    "titan-nats\texited\tExited (1) 5 minutes ago\tnats:2.10-alpine\n"
    "nats-exporter\trunning\tUp 3 hours\tnatsio/prometheus-nats-exporter:0.15.0\n"
    "titan-worker\trestarting\tRestarting (1) 10 seconds ago\ttitan/worker:4.2.1\n";

}  // namespace rr::host::samples
