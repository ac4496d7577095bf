#include "generator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "definition_loader.h"
#include "paths.h"
#include "unit_text.h"
#include "unique_fd.h"

namespace box::generator {

Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("create temporary file for '" + path + "'");
  auto fail = [&](const std::string& what) {
    Error e = Error::from_errno(what + " '" + tmp + "'");
    ::unlink(tmp.c_str());
    return e;
  };
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), 0644) != 0) return fail("chmod");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename into place");
  return {};
}

Result<std::vector<Verdict>> run_generator(const GeneratorInput& input) {
  std::vector<Verdict> verdicts;
  for (const auto& file : list_definition_files(input.search_dirs)) {
    Verdict v{file.name, file.path, false, ""};
    auto def = load_definition(file.path, {}, file.name, input.context);
    if (!def) {
      v.message = def.error().message();
      verdicts.push_back(std::move(v));
      continue;
    }
    const std::string dir = input.output_dir + "/" + unit_name(file.name) + ".d";
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + dir + "'");
    auto written = write_file_atomically(dir + "/50-box.conf", dropin_text(*def));
    if (!written) return written.error();
    v.ok = true;
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

}  // namespace box::generator
