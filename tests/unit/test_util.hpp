// Helpers shared by the unit tests: fixtures, results, configs, temp dirs.
// Each was written out again in several test files before; one copy here
// keeps them alike (binary reads, EINVAL checks, cleanup).
#pragma once

#include <fcntl.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "ocirun/error.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"

namespace ocirun::test {

// The bytes of tests/fixtures/<rel>, unchanged.
inline std::string read_fixture(const std::string& rel) {
  std::ifstream in(std::string(OCIRUN_FIXTURES) + "/" + rel, std::ios::binary);
  INFO("fixture " << rel);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of a result that must have one; the test fails with the error
// message otherwise. `what` says which input it was.
template <typename T>
T value_of(Result<T> r, std::string_view what = {}) {
  INFO(what);
  if (!r) FAIL(r.error().msg);
  return std::move(*r);
}

// The message of a result that must be an input error (EINVAL).
template <typename T>
std::string einval_message(const Result<T>& r, std::string_view what = {}) {
  INFO(what);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == EINVAL);
  return r.error().msg;
}

// Calls parse(node) on linux.<section> of a whole config.json text, so that
// error paths read as the user sees them ("linux.seccomp.flags: ...").
template <typename Parse>
auto parse_linux_section(const std::string& config_text, std::string_view section, Parse parse) {
  auto doc = json::Document::parse(config_text);
  REQUIRE(doc);
  std::optional<json::Node> linux_node = doc->root().find("linux");
  REQUIRE(linux_node);
  std::optional<json::Node> node = linux_node->find(section);
  REQUIRE(node);
  return parse(*node);
}

// `piece` n times: hostile sizes are built from it.
inline std::string repeat(std::string_view piece, std::size_t n) {
  std::string s;
  s.reserve(piece.size() * n);
  for (std::size_t i = 0; i < n; i++) s += piece;
  return s;
}

// A temp dir, removed with its contents at the end of the test, whether it
// passed or not.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ocirun-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { (void)fs::remove_tree_at(AT_FDCWD, path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string sub(const std::string& name) const { return path + "/" + name; }
};

}  // namespace ocirun::test
