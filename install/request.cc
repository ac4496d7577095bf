#include "install/request.h"

#include <algorithm>
#include <cctype>

#include "core/model/definition.h"
#include "core/model/names.h"
#include "install/export_image.h"
#include "install/install_files.h"
#include "install/registry_pull.h"

namespace box::install {
namespace {

RequestCheck refused(Refusal why, Error error) {
  RequestCheck c;
  c.refusal = why;
  c.error = std::move(error);
  return c;
}

bool is_variable_name(const std::string& k) {
  if (k.empty() || (k[0] >= '0' && k[0] <= '9')) return false;
  for (char c : k)
    if (c != '_' && !std::isalnum(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

RequestCheck check_install_request(const InstallContext& ctx, const std::string& source_text,
                                   const InstallOptions& options, const std::string& cwd) {
  auto parsed = parse_source(source_text, cwd);
  if (!parsed) return refused(Refusal::kInvalidArgument, parsed.error());
  auto classified = classify_directory(*parsed);
  if (!classified) return refused(Refusal::kInvalidArgument, classified.error());
  const Source& src = *classified;
  if ((src.kind == SourceKind::kOciArchive || src.kind == SourceKind::kDockerArchive) &&
      !exists_nofollow(src.path))
    return refused(Refusal::kInvalidArgument,
                   Error("source '" + source_text + "': no such file '" + src.path + "'"));
  if (src.kind == SourceKind::kOciLayout && !is_dir(src.path))
    return refused(Refusal::kInvalidArgument,
                   Error("source '" + source_text + "': no such directory '" + src.path + "'"));

  std::string name = options.name.empty() ? default_name(src) : options.name;
  if (name.empty())
    return refused(Refusal::kInvalidArgument,
                   Error("source '" + source_text +
                         "': give the container a name (boxctl install SOURCE NAME)"));
  // The name is the definition's and the image's (images/NAME/): a plain
  // name, as an image is never a template instance.
  if (auto r = check_plain_name(name, "install name"); !r)
    return refused(Refusal::kInvalidArgument, r.error());
  // The origin is written into the definition's header comment and the
  // image's record: a registry reference or the box a commit was made of,
  // on one line, nothing else.
  if (!options.origin.empty()) {
    const bool one_word = std::none_of(options.origin.begin(), options.origin.end(),
                                       [](unsigned char c) { return c <= ' ' || c == 0x7f; });
    if (!(is_registry_source(options.origin) || is_commit_origin(options.origin)) || !one_word)
      return refused(Refusal::kInvalidArgument,
                     Error("origin '" + options.origin +
                           "': expected the docker://IMAGE the source was pulled from, or the "
                           "commit:NAME of the box it was committed from, one word"));
  }
  for (const auto& [k, _] : options.set)
    if (!is_variable_name(k))
      return refused(Refusal::kInvalidArgument, Error("--set '" + k + "': not a variable name"));

  const Locations locs = locations_for(ctx);
  const std::string image_dir = locs.images + "/" + name;
  const std::string definition = locs.definitions + "/" + name + ".yaml";
  if (!options.replace) {
    if (exists_nofollow(image_dir))
      return refused(Refusal::kAlreadyExists,
                     Error("'" + name + "' is already installed (" + image_dir +
                           "): pass --replace to install over it"));
    if (exists_nofollow(definition))
      return refused(Refusal::kAlreadyExists,
                     Error("a definition named '" + name + "' exists (" + definition +
                           "): pass --replace to overwrite it, or choose another name"));
  }
  RequestCheck ok;
  ok.name = name;
  ok.source = src;
  return ok;
}

RequestCheck check_uninstall_request(const InstallContext& ctx, const std::string& name) {
  if (auto r = check_plain_name(name, "install name"); !r)
    return refused(Refusal::kInvalidArgument, r.error());
  const Locations locs = locations_for(ctx);
  if (!exists_nofollow(locs.images + "/" + name)) {
    const std::string definition = locs.definitions + "/" + name + ".yaml";
    if (exists_nofollow(definition))
      return refused(
          Refusal::kNotInstalled,
          Error("'" + name + "' was not installed by boxctl install (its definition is " +
                definition + "; remove that file yourself)"));
    return refused(Refusal::kNotInstalled, Error("no installed image named '" + name + "'"));
  }
  RequestCheck ok;
  ok.name = name;
  return ok;
}

}  // namespace box::install
