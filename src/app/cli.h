#pragma once
// Command line: serve, check, triage, test-rules, --version, --help.

namespace rr {
int run_cli(int argc, char** argv);
}
