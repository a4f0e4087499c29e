#pragma once
// Result<T>: a value or an Error saying where and what went wrong.
// (std::expected is C++23; this is the small subset the project needs.)

#include <string>
#include <utility>
#include <variant>

namespace rr {

struct Error {
  std::string where;    // field path ("alerts[2].startsAt") or "file:line"
  std::string message;  // human sentence, no trailing period

  std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace rr
