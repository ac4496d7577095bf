// When box-manager may exit: it keeps no state, so it only waits until
// nobody needs it. Busy while an operation is in flight (a systemd job, a
// call to systemd) or while a client that called it is still connected (it
// may be watching signals); idle after `timeout` of neither.
// Pure bookkeeping: the bus side feeds it (box_manager_main.cc).
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

namespace box::manager {

class Activity {
 public:
  using Clock = std::chrono::steady_clock;
  using Token = std::shared_ptr<void>;

  explicit Activity(Clock::time_point now = Clock::now()) : last_(now) {}

  // Held by an operation in flight; busy until every copy is gone.
  Token hold();

  void client_called(const std::string& unique_name, Clock::time_point now = Clock::now());
  void client_gone(const std::string& unique_name, Clock::time_point now = Clock::now());

  std::size_t pending() const { return *pending_; }
  std::size_t clients() const { return clients_.size(); }
  bool busy() const { return pending() > 0 || !clients_.empty(); }

  // When the manager may exit if nothing happens before (meaningless while busy).
  Clock::time_point idle_deadline(Clock::duration timeout) const { return last_ + timeout; }

 private:
  std::shared_ptr<std::size_t> pending_ = std::make_shared<std::size_t>(0);
  std::set<std::string> clients_;
  Clock::time_point last_;
};

}  // namespace box::manager
