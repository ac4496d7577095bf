// Streaming SHA-256 (OpenSSL's libcrypto) and the "sha256:<hex>" digest
// strings OCI descriptors carry.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/sys/result.h"

namespace box::image {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  // "sha256:" + 64 lowercase hex digits. The hasher is spent afterwards.
  std::string digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256_digest_of(std::string_view data);

// Only sha256 digests are accepted: "sha256:" and 64 lowercase hex digits.
// The hex part is also used as a file name, so this check is what keeps
// "blobs/sha256/<hex>" inside the layout.
bool is_valid_sha256_digest(std::string_view digest);

}  // namespace box::image
