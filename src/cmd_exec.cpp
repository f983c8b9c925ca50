// `ocirun exec`: reads the flags into ExecOptions; the work is in
// container_exec.cpp.
#include "ocirun/commands.hpp"
#include "ocirun/container_exec.hpp"
#include "ocirun/fs.hpp"

#include <fcntl.h>

namespace ocirun {

namespace {

Result<ExecOptions> exec_options(const cli::Invocation& inv) {
  if (inv.has("cgroup")) return fail("--cgroup: not supported yet", ENOTSUP);
  ExecOptions o;
  o.id = inv.args[0];
  o.state_root = TRY(state_root(inv));
  o.args.assign(inv.args.begin() + 1, inv.args.end());
  if (auto v = inv.value("process")) {
    std::string path(*v);
    o.process_json = TRY_CTX(fs::read_file_at(AT_FDCWD, path), "--process `" + path + "`");
  }
  o.tty = inv.flag("tty");
  if (auto v = inv.value("cwd")) o.cwd = std::string(*v);
  for (std::string_view e : inv.values("env")) o.env.emplace_back(e);
  if (auto v = inv.value("user")) o.user = std::string(*v);
  for (std::string_view g : inv.values("additional-gids")) o.additional_gids.emplace_back(g);
  o.no_new_privs = inv.flag("no-new-privs");
  for (std::string_view c : inv.values("cap")) o.caps.emplace_back(c);
  if (auto v = inv.value("apparmor")) o.apparmor = std::string(*v);
  if (auto v = inv.value("process-label")) o.process_label = std::string(*v);
  o.detach = inv.flag("detach");
  if (auto v = inv.value("pid-file")) o.pid_file = std::string(*v);
  if (auto v = inv.value("console-socket")) o.console_socket = std::string(*v);
  if (auto v = inv.value("pidfd-socket")) o.pidfd_socket = std::string(*v);
  if (auto v = inv.value("preserve-fds")) {
    unsigned long long n = TRY(cli::parse_uint("preserve-fds", *v));
    if (n > 65536) return fail("--preserve-fds: too many file descriptors");
    o.preserve_fds = static_cast<unsigned>(n);
  }
  o.ignore_paused = inv.flag("ignore-paused");
  return o;
}

}  // namespace

Result<int> cmd_exec(const cli::Invocation& inv) {
  ExecOptions o = TRY_CTX(exec_options(inv), "exec");
  return TRY_CTX(exec_container(o), "exec");
}

}  // namespace ocirun
