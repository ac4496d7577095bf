#include "manager/activity.h"

namespace box::manager {

Activity::Token Activity::hold() {
  ++*pending_;
  // The counter is shared: a token outliving the Activity (a callback
  // destroyed late at exit) sees it is the last owner and leaves `this` alone.
  auto counter = pending_;
  last_ = Clock::now();
  return Token(new char(0), [counter, this](void* p) {
    delete static_cast<char*>(p);
    if (--*counter == 0 && counter.use_count() > 1) last_ = Clock::now();
  });
}

void Activity::client_called(const std::string& unique_name, Clock::time_point now) {
  clients_.insert(unique_name);
  last_ = now;
}

void Activity::client_gone(const std::string& unique_name, Clock::time_point now) {
  if (clients_.erase(unique_name) > 0) last_ = now;
}

}  // namespace box::manager
