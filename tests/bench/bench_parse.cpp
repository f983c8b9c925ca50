// bench-parse: how long parsing a realistic config.json takes.
//
// The input is tests/fixtures/seccomp/docker-default.json, a small container
// config whose linux.seccomp is Docker's default profile (357 syscall names):
// the seccomp profile is most of the text and most of the parsing work of a
// typical config. Three things are timed, each N times after a warm-up:
//   - parse_spec(text): the whole config parser, what `create` pays;
//   - json::Document::parse(text): the JSON layer alone;
//   - Document::parse + parse_linux_seccomp: the model on top of it, which
//     stays meaningful while parse_spec does not yet read linux.seccomp.
// The machine is shared and noisy, so the minimum is the figure to compare
// across runs; the median shows what a typical call pays.
//
// Usage: bench-parse [N]    (N defaults to 2000)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ocirun/json.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/spec_seccomp.hpp"

namespace {

using Clock = std::chrono::steady_clock;

bool read_file(const char* path, std::string& out) {
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}

// Runs `once` (which returns false on a parse error) `warmup + n` times and
// prints the median and minimum of the last n, in microseconds.
template <typename F>
bool measure(const char* label, int n, F once) {
  const int warmup = std::max(10, n / 20);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < warmup + n; i++) {
    Clock::time_point start = Clock::now();
    if (!once()) return false;
    Clock::time_point end = Clock::now();
    if (i >= warmup) us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(us.begin(), us.end());
  std::printf("%-36s median %8.1f us   min %8.1f us   (n=%d)\n", label, us[us.size() / 2], us.front(), n);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000;
  if (argc > 1) n = std::max(1, std::atoi(argv[1]));
  const char* path = OCIRUN_FIXTURES "/seccomp/docker-default.json";
  std::string text;
  if (!read_file(path, text)) {
    std::fprintf(stderr, "bench-parse: cannot read %s\n", path);
    return 1;
  }
  std::printf("input: %s (%zu bytes)\n", path, text.size());

  std::string error;
  std::size_t sink = 0;  // results feed this, so no call is optimized away

  bool ok = measure("parse_spec", n, [&] {
    auto spec = ocirun::parse_spec(text);
    if (!spec) {
      error = spec.error().msg;
      return false;
    }
    sink += spec->oci_version.size();
    return true;
  });

  ok = ok && measure("json::Document::parse", n, [&] {
    auto doc = ocirun::json::Document::parse(text);
    if (!doc) {
      error = doc.error().msg;
      return false;
    }
    sink += doc->root().member_count();
    return true;
  });

  ok = ok && measure("Document::parse + parse_linux_seccomp", n, [&] {
    auto doc = ocirun::json::Document::parse(text);
    if (!doc) {
      error = doc.error().msg;
      return false;
    }
    std::optional<ocirun::json::Node> linux_node = doc->root().find("linux");
    std::optional<ocirun::json::Node> seccomp = linux_node ? linux_node->find("seccomp") : std::nullopt;
    if (!seccomp) {
      error = "no linux.seccomp in the input";
      return false;
    }
    auto parsed = ocirun::parse_linux_seccomp(*seccomp);
    if (!parsed) {
      error = parsed.error().msg;
      return false;
    }
    sink += parsed->syscalls.size();
    return true;
  });

  if (!ok) {
    std::fprintf(stderr, "bench-parse: %s\n", error.c_str());
    return 1;
  }
  return sink == 0 ? 1 : 0;
}
