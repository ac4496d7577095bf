// Where an image's files come from: an OCI layout directory, or a tar
// archive holding one (oci-archive) or a `docker save` tree (docker-archive).
// Files are named by their path relative to the layout root
// ("index.json", "blobs/sha256/<hex>"). Opening never leaves the directory
// (resolution is confined beneath it), opens only regular files (a FIFO or
// a device named like a blob is refused, never waited on) and never reads
// more than asked.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/sys/result.h"

namespace box::image {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Up to `size` bytes into `buf`; 0 at the end.
  virtual Result<std::size_t> read(void* buf, std::size_t size) = 0;
};

class BlobSource {
 public:
  virtual ~BlobSource() = default;
  // What it is, for messages ("OCI layout '/x'", "archive '/x.tar'").
  virtual std::string describe() const = 0;
  virtual bool exists(const std::string& path) = 0;
  // Size in bytes, -1 when unknown.
  virtual std::int64_t size(const std::string& path) = 0;
  virtual Result<std::unique_ptr<InputStream>> open(const std::string& path) = 0;
  // A whole file, at most `max` bytes (larger is an error).
  Result<std::string> read_file(const std::string& path, std::size_t max);
};

Result<std::unique_ptr<BlobSource>> open_directory_source(const std::string& dir);

// Reads the archive's table of contents once and keeps the small files
// (manifests, configs) in memory; opening a large file rescans the archive
// to it, so a layer is read straight out of the archive, never copied.
// The archive must be a regular file (regular_file.h). When `*cancel`
// becomes true, reading the archive fails with "cancelled".
Result<std::unique_ptr<BlobSource>> open_archive_source(
    const std::string& file, const std::atomic<bool>* cancel = nullptr);

// "blobs/sha256/<hex>" for a validated digest.
std::string blob_path(const std::string& digest);

}  // namespace box::image
