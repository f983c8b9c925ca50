// `ocirun events ID`: one stats object with --stats; otherwise a stream of
// events, one JSON object per line (stats every --interval, oom when the
// kernel's OOM killer acted in the container), until the container stops.
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ocirun/commands.hpp"
#include "ocirun/container.hpp"
#include "ocirun/container_events.hpp"
#include "ocirun/container_pause.hpp"
#include "ocirun/fs.hpp"

namespace ocirun {

namespace {

// How often the stream looks for OOM kills between two stats events.
constexpr std::uint64_t kOomPollNs = 200'000'000;

std::uint64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

Result<> print_line(const std::string& line) { return fs::write_all(STDOUT_FILENO, line + "\n"); }

Result<int> stream(const ContainerState& st, const ContainerCgroups& cg, std::uint64_t interval_ns) {
  UniqueFd init = TRY(open_init(st));
  std::uint64_t ooms = oom_kill_count(TRY(read_oom_counters(cg)));
  std::uint64_t next_stats = now_ns();
  while (true) {
    if (now_ns() >= next_stats) {
      // A cgroup removed under us (the container was deleted) ends the
      // stream like a stop does; the pidfd below says so next.
      if (Result<StatsMap> m = read_container_stats(cg); m) TRY(print_line(stats_event_json(st.id, *m, cg.pure_v2)));
      // After a stall (a suspended machine), one event, not a burst.
      next_stats += interval_ns;
      if (std::uint64_t t = now_ns(); next_stats <= t) next_stats = t + interval_ns;
    }
    std::uint64_t n = oom_kill_count(TRY(read_oom_counters(cg)));
    if (n > ooms) TRY(print_line(oom_event_json(st.id)));
    ooms = std::max(ooms, n);
    std::uint64_t now = now_ns();
    std::uint64_t wait = next_stats > now ? std::min(next_stats - now, kOomPollNs) : 0;
    pollfd p{init.get(), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>((wait + 999'999) / 1'000'000));
    if (r < 0 && errno != EINTR) return fail_errno("poll the container's init");
    if (r > 0) {
      // The init exited: report an OOM kill that ended it, then stop.
      if (Result<StatsMap> last = read_oom_counters(cg); last && oom_kill_count(*last) > ooms)
        TRY(print_line(oom_event_json(st.id)));
      return 0;
    }
  }
}

}  // namespace

Result<int> cmd_events(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "events");
  std::uint64_t interval_ns = 5'000'000'000u;
  if (auto v = inv.value("interval")) interval_ns = TRY_CTX(parse_duration_ns(*v), "events: --interval");
  if (interval_ns == 0) return fail("events: --interval: duration interval must be greater than 0", EINVAL);
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "events");
  ContainerState st = TRY_CTX(store.read(id), "events");
  Status status = current_status(st);
  if (status == Status::Stopped || status == Status::Creating)
    return fail("events: container with id " + id + " is not running", ESRCH);
  ContainerCgroups cg = TRY_CTX(cgroups_of(st), "events");
  if (inv.flag("stats")) {
    StatsMap m = TRY_CTX(read_container_stats(cg), "events");
    TRY(print_line(stats_event_json(id, m, cg.pure_v2)));
    return 0;
  }
  Result<int> r = stream(st, cg, interval_ns);
  if (!r && r.error().code == ESRCH) return 0;  // it stopped before the first look
  return TRY_CTX(std::move(r), "events");
}

}  // namespace ocirun
