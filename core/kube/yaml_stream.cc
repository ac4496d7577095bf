#include "core/kube/yaml_stream.h"

#include <cstddef>
#include <string>

namespace box::kube {
namespace {

// A line that is a document marker: "---" or "..." at its start, then
// nothing or a space (YAML 1.2, 9.1: a marker never occurs in content at
// the start of a line, not even in a block scalar).
bool starts_with_marker(const std::string& text, std::size_t at, const char* marker) {
  if (text.compare(at, 3, marker) != 0) return false;
  const std::size_t after = at + 3;
  return after == text.size() || text[after] == '\n' || text[after] == '\r' || text[after] == ' ' ||
         text[after] == '\t';
}

// A document that loaded as null is empty or says null. Anything else is
// a token no node starts with, which yaml-cpp reads as a null document
// without a word (and without consuming it: LoadAll's loop).
void check_null_document(const std::string& part, int at, const YAML::Mark& mark) {
  if (at < 0 || static_cast<std::size_t>(at) >= part.size()) return;
  std::size_t pos = static_cast<std::size_t>(at);
  if (starts_with_marker(part, pos, "---")) pos += 3;
  while (pos < part.size()) {
    const char c = part[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '#') {
      const std::size_t eol = part.find('\n', pos);
      pos = eol == std::string::npos ? part.size() : eol;
    } else if (starts_with_marker(part, pos, "...")) {
      return;
    } else {
      for (const char* literal : {"~", "null", "Null", "NULL"})
        if (part.compare(pos, std::char_traits<char>::length(literal), literal) == 0) return;
      throw YAML::ParserException(mark, std::string("no YAML node starts with '") + c + "'");
    }
  }
}

}  // namespace

std::vector<StreamDocument> load_documents(const std::string& text) {
  std::vector<StreamDocument> docs;
  // Each part is parsed on its own (no padding: a stream of many short
  // documents stays linear); its first line goes with it.
  std::size_t part_start = 0;
  std::size_t part_line = 0;
  std::size_t line = 0;
  bool part_has_content = false;
  auto load_part = [&](std::size_t end) {
    if (!part_has_content) return;
    const std::string part = text.substr(part_start, end - part_start);
    const int first_line = static_cast<int>(part_line);
    try {
      YAML::Node node = YAML::Load(part);
      if (node.IsNull()) check_null_document(part, node.Mark().pos, node.Mark());
      docs.push_back({node, first_line});
    } catch (const YAML::Exception& e) {
      YAML::Mark mark = e.mark;
      mark.line += first_line;
      mark.pos += static_cast<int>(part_start);
      throw YAML::ParserException(mark, e.msg);
    }
  };
  for (std::size_t at = 0; at < text.size(); ++line) {
    std::size_t eol = text.find('\n', at);
    const std::size_t next = eol == std::string::npos ? text.size() : eol + 1;
    if (starts_with_marker(text, at, "---")) {
      // A new document starts here; what came before is one of its own.
      load_part(at);
      part_start = at;
      part_line = line;
      part_has_content = true;  // "---" alone is an (empty) document
    } else if (starts_with_marker(text, at, "...")) {
      // The end of a document: the next one starts after this line.
      load_part(next);
      part_start = next;
      part_line = line + 1;
      part_has_content = false;
    } else {
      std::size_t first = text.find_first_not_of(" \t\r", at);
      if (first != std::string::npos && first < next && text[first] != '\n' && text[first] != '#')
        part_has_content = true;
    }
    at = next;
  }
  load_part(text.size());
  return docs;
}

}  // namespace box::kube
