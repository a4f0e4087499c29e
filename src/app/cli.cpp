#include "app/cli.h"
namespace rr { int run_cli(int, char**) { return 0; } }
