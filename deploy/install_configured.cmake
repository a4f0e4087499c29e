# Run by `cmake --install` (CMakeLists.txt): writes the systemd unit and the
# example config with the paths of the prefix being installed to (which
# `--prefix` may set only now), under DESTDIR when one is given.
# Expects RR_SOURCE_DIR, RR_BINDIR, RR_DATADIR and RR_DOCDIR (relative to the prefix).

set(root "$ENV{DESTDIR}")
set(RR_BIN_DIR "${CMAKE_INSTALL_PREFIX}/${RR_BINDIR}")
set(RR_RULES_DIR "${CMAKE_INSTALL_PREFIX}/${RR_DATADIR}/runbook-responder/rules")
set(RR_DOC_DIR "${CMAKE_INSTALL_PREFIX}/${RR_DOCDIR}")
set(RR_EXAMPLE_CONFIG "${RR_DOC_DIR}/config.example.yaml")

foreach(pair "systemd/runbook-responder.service.in|lib/systemd/system/runbook-responder.service"
             "config.example.yaml.in|${RR_DOCDIR}/config.example.yaml")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  set(dest "${root}${CMAKE_INSTALL_PREFIX}/${to}")
  message(STATUS "Installing: ${dest}")
  configure_file("${RR_SOURCE_DIR}/deploy/${from}" "${dest}" @ONLY)
endforeach()
