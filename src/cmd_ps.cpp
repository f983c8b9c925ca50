// `ocirun ps`: the container's processes, from its cgroup. As JSON, the
// array of host pids; as a table, ps(1)'s output (with the caller's
// arguments, -ef by default) cut to its header and the container's lines,
// as runc does.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "ocirun/commands.hpp"
#include "ocirun/container_exec.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/sys.hpp"

extern char** environ;

namespace ocirun {

namespace {

// ps(1)'s output.
Result<std::string> run_ps(const std::vector<std::string>& ps_args) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd rd(pipefd[0]), wr(pipefd[1]);
  posix_spawn_file_actions_t fa;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawn_file_actions_adddup2(&fa, wr.get(), STDOUT_FILENO);
  std::vector<std::string> argv{"ps"};
  argv.insert(argv.end(), ps_args.begin(), ps_args.end());
  std::vector<char*> cargv = sys::c_strings(argv);
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, "ps", &fa, nullptr, cargv.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  if (err != 0) return tl::unexpected(Error{err, std::string("run ps: ") + std::strerror(err)});
  wr.reset();
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  int ws = 0;
  while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) return fail("ps failed: " + out, ECHILD);
  return out;
}

}  // namespace

// Pure: the header and the lines whose PID column is one of `pids`.
Result<std::string> filter_ps_output(std::string_view out, const std::vector<pid_t>& pids) {
  std::size_t nl = out.find('\n');
  std::string_view header = out.substr(0, nl);
  // The PID column: its index among the header's whitespace-separated words.
  std::size_t col = 0, idx = 0;
  bool found = false;
  for (std::size_t i = 0; i < header.size();) {
    while (i < header.size() && header[i] == ' ') i++;
    std::size_t j = header.find(' ', i);
    if (j == std::string_view::npos) j = header.size();
    if (i < j && header.substr(i, j - i) == "PID") {
      col = idx;
      found = true;
      break;
    }
    if (i < j) idx++;
    i = j;
  }
  if (!found) return fail("ps: no PID column in ps's output", EINVAL);
  std::string result(header);
  result += '\n';
  if (nl == std::string_view::npos) return result;
  std::string_view rest = out.substr(nl + 1);
  while (!rest.empty()) {
    std::size_t e = rest.find('\n');
    std::string_view line = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
    std::size_t i = 0;
    std::string_view word;
    for (std::size_t k = 0; k <= col; k++) {
      while (i < line.size() && line[i] == ' ') i++;
      std::size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      word = line.substr(i, j - i);
      i = j;
    }
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), pid);
    if (ec == std::errc() && end == word.data() + word.size() && std::find(pids.begin(), pids.end(), pid) != pids.end()) {
      result += line;
      result += '\n';
    }
  }
  return result;
}

Result<int> cmd_ps(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "ps");
  std::string format(inv.value("format").value_or("table"));
  if (format != "table" && format != "json") return fail("ps: invalid --format \"" + format + "\": expected table or json");
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "ps");
  ContainerState st = TRY_CTX(store.read(id), "ps");
  if (current_status(st) == Status::Stopped) return fail("ps: container not running", ESRCH);
  std::vector<pid_t> pids = TRY_CTX(container_pids(st), "ps");
  if (format == "json") {
    if (inv.args.size() > 1) return fail("ps: ps arguments cannot be used with --format json");
    std::string out = "[";
    for (std::size_t i = 0; i < pids.size(); i++) {
      if (i > 0) out += ',';
      out += std::to_string(pids[i]);
    }
    out += "]\n";
    TRY(fs::write_all(STDOUT_FILENO, out));
    return 0;
  }
  std::vector<std::string> args(inv.args.begin() + 1, inv.args.end());
  if (args.empty()) args.push_back("-ef");
  std::string out = TRY_CTX(run_ps(args), "ps");
  TRY(fs::write_all(STDOUT_FILENO, TRY_CTX(filter_ps_output(out, pids), "ps")));
  return 0;
}

}  // namespace ocirun
