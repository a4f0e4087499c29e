#include "app/cli.h"

int main(int argc, char** argv) { return rr::run_cli(argc, argv); }
