// bench-parse: how long parsing a realistic config.json takes.
//
// The input is tests/fixtures/seccomp/docker-default.json, a small container
// config whose linux.seccomp is Docker's default profile (357 syscall names):
// the seccomp profile is most of the text and most of the parsing work of a
// typical config. Three things are timed, each N times after a warm-up:
//   - parse_spec(text): the whole config parser, what `create` pays;
//   - json::Document::parse(text): the JSON layer alone;
//   - Document::parse + parse_linux_seccomp: the seccomp model on its own.
// The machine is shared and noisy, so the minimum is the figure to compare
// across runs; the median shows what a typical call pays.
//
// Then hostile sizes, to show by measurement (not by a timed unit test,
// which a loaded machine would fail at random) that parse_spec is linear
// in the lists a config can make long: each list is parsed at a small and
// a ten times larger size, and the ratio of the two times is printed. About
// 10 is linear; about 100 would be quadratic (an env duplicate check that
// compared every pair, a key lookup that rescanned every member). Expect
// somewhat more than 10 where the small size fits in the CPU caches and the
// large one does not: env's hash set and the 100,000 strings allocated for
// it then cost cache misses per entry that the small run does not pay
// (std::unordered_set alone goes from about 30 to 200 ns an insert between
// these sizes on the machine this was written on). The time per entry is
// printed too, for that reading.
//   - process.env: 10,000 and 100,000 entries (NAME=VALUE, deduplicated);
//   - mounts: 1,000 and 10,000 (one schema object each, read by Fields);
//   - linux.seccomp: 10,000 and 100,000 syscall names in one rule, and as
//     many rules of one name each (one Fields per rule and per argument).
//
// Usage: bench-parse [N]    (N defaults to 2000; the hostile sizes run a
// fixed few times each)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
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

// ---- hostile sizes ----

// A config.json with `members` in process (after cwd and args), and `extra`
// top-level members.
std::string config_with(const std::string& process_members, const std::string& extra) {
  std::string s = R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},"process":{"cwd":"/","args":["sh"])";
  if (!process_members.empty()) s += "," + process_members;
  s += "}";
  if (!extra.empty()) s += "," + extra;
  s += "}";
  return s;
}

// `count` items made by `item(i)`, joined with commas.
std::string joined(int count, const std::function<std::string(int)>& item) {
  std::string s;
  for (int i = 0; i < count; i++) {
    if (i) s += ',';
    s += item(i);
  }
  return s;
}

std::string env_config(int count) {
  return config_with("\"env\":[" + joined(count, [](int i) { return "\"VAR_" + std::to_string(i) + "=value\""; }) + "]",
                     "");
}

std::string mounts_config(int count) {
  return config_with("", "\"mounts\":[" + joined(count, [](int i) {
                           return R"({"destination":"/m/)" + std::to_string(i) +
                                  R"(","type":"tmpfs","source":"tmpfs","options":["nosuid","size=1k"]})";
                         }) + "]");
}

std::string seccomp_config(const std::string& syscalls) {
  return config_with("", R"("linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[)" + syscalls + "]}}");
}

std::string seccomp_names_config(int count) {
  std::string names = joined(count, [](int i) { return "\"syscall_name_" + std::to_string(i) + "\""; });
  return seccomp_config(R"({"names":[)" + names + R"(],"action":"SCMP_ACT_ALLOW"})");
}

std::string seccomp_rules_config(int count) {
  return seccomp_config(joined(count, [](int i) {
    return R"({"names":["s)" + std::to_string(i) +
           R"("],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]})";
  }));
}

// The least time, in milliseconds, of `runs` calls of parse_spec(text),
// after one call to warm up; a negative value when it fails. The least, as
// above: on a shared machine the other figures measure the neighbours.
double min_parse_ms(const std::string& text, int runs, std::string& error) {
  double best = -1;
  for (int i = 0; i <= runs; i++) {
    Clock::time_point start = Clock::now();
    auto spec = ocirun::parse_spec(text);
    Clock::time_point end = Clock::now();
    if (!spec) {
      error = spec.error().msg;
      return -1;
    }
    double ms = std::chrono::duration<double, std::milli>(end - start).count();
    if (i > 0 && (best < 0 || ms < best)) best = ms;
  }
  return best;
}

// Times one list at `small` and 10 * `small` entries and prints both times
// and their ratio.
bool measure_growth(const char* label, int small, const std::function<std::string(int)>& make, std::string& error) {
  constexpr int kRuns = 7;
  const int big = small * 10;
  std::string small_text = make(small);
  std::string big_text = make(big);
  double small_ms = min_parse_ms(small_text, kRuns, error);
  if (small_ms < 0) return false;
  double big_ms = min_parse_ms(big_text, kRuns, error);
  if (big_ms < 0) return false;
  std::printf("%-28s %7d: %8.2f ms (%4.0f ns each)   %7d: %8.2f ms (%4.0f ns each)   ratio %5.1f\n", label,
              small, small_ms, small_ms * 1e6 / small, big, big_ms, big_ms * 1e6 / big,
              small_ms > 0 ? big_ms / small_ms : 0.0);
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

  if (ok) {
    std::printf("\nhostile sizes: parse_spec, least of 7 runs; ratio = time at 10x / time at 1x "
                "(about 10 is linear, 100 quadratic)\n");
  }
  ok = ok && measure_growth("process.env entries", 10000, env_config, error);
  ok = ok && measure_growth("mounts", 1000, mounts_config, error);
  ok = ok && measure_growth("seccomp names, one rule", 10000, seccomp_names_config, error);
  ok = ok && measure_growth("seccomp rules, one name each", 10000, seccomp_rules_config, error);

  if (!ok) {
    std::fprintf(stderr, "bench-parse: %s\n", error.c_str());
    return 1;
  }
  return sink == 0 ? 1 : 0;
}
