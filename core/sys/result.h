// Error and Result<T>: the shape of std::expected, which g++ 12 lacks.
// Errors capture errno where the syscall failed and gain context on the way
// up, so the top-level message reads outermost-first:
//   "start box 'etcd': mount proc on '/proc': Operation not permitted".
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace box {

class Error {
 public:
  Error() = default;
  explicit Error(std::string message, int errno_value = 0)
      : message_(std::move(message)), errno_(errno_value) {}

  // "what: strerror(errno)"; call right after the failing syscall.
  static Error from_errno(const std::string& what, int errno_value = errno);

  // Prepends "context: " to the message; keeps the errno.
  Error wrap(const std::string& context) const&;
  Error wrap(const std::string& context) &&;

  const std::string& message() const { return message_; }
  int errno_value() const { return errno_; }

 private:
  std::string message_;
  int errno_ = 0;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace box
