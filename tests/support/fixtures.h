#pragma once
// Test data kept in the repository, under tests/fixtures/. Tests read
// nothing outside the repository (scripts/test checks that no test or
// CMake file names a path beside it).

#include <string>

namespace rr::test {

// tests/fixtures/alertmanager/NAME: a payload captured from a real
// Alertmanager 0.25 (the README there says which is which).
std::string alertmanager_sample_path(const std::string& name);

// Its bytes. Throws std::runtime_error when the file is missing or empty,
// so a test can never pass on an empty input.
std::string alertmanager_sample(const std::string& name);

}  // namespace rr::test
