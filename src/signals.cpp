#include "ocirun/signals.hpp"

#include <csignal>
#include <charconv>

namespace ocirun {

namespace {

struct SignalName {
  const char* name;  // without the SIG prefix
  int number;
};

// The standard signals of Linux on x86-64 and arm64 (the numbers the kernel
// uses there; <csignal> supplies them, so other arches follow).
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},      {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH},   {"IO", SIGIO},         {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

// The kernel's real-time range; glibc's SIGRTMIN (34 here) reserves two for
// itself, but a container's processes are not ours, so use the kernel's.
constexpr int kRtMin = 32 + 2;
constexpr int kRtMax = 64;

std::optional<int> parse_int(std::string_view s) {
  int n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<int> parse_signal(std::string_view text) {
  auto bad = [&] {
    std::string shown(text.substr(0, 32));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return fail("unknown signal \"" + shown + "\"");
  };
  if (std::optional<int> n = parse_int(text)) {
    if (*n < 1 || *n > kRtMax) return bad();
    return *n;
  }
  std::string name;
  for (char c : text) name += upper(c);
  std::string_view s = name;
  if (s.starts_with("SIG")) s.remove_prefix(3);
  for (const SignalName& sn : kSignals)
    if (s == sn.name) return sn.number;
  // RTMIN, RTMIN+n, RTMAX, RTMAX-n.
  if (s.starts_with("RTMIN") || s.starts_with("RTMAX")) {
    bool min = s.starts_with("RTMIN");
    std::string_view rest = s.substr(5);
    int off = 0;
    if (!rest.empty()) {
      if (rest[0] != (min ? '+' : '-')) return bad();
      std::optional<int> n = parse_int(rest.substr(1));
      if (!n) return bad();
      off = *n;
    }
    int sig = min ? kRtMin + off : kRtMax - off;
    if (sig < kRtMin || sig > kRtMax) return bad();
    return sig;
  }
  return bad();
}

std::string signal_name(int sig) {
  for (const SignalName& sn : kSignals) {
    // SIGIOT, SIGCLD and SIGPOLL are aliases; name the first spelling.
    if (sn.number == sig) return std::string("SIG") + sn.name;
  }
  if (sig >= kRtMin && sig <= kRtMax) {
    int off = sig - kRtMin;
    return off == 0 ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(off);
  }
  return "";
}

}  // namespace ocirun
