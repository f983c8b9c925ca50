// ocirun: an OCI runtime. main reads as the list of steps every invocation
// takes: parse the command line, open the log the caller asked for, run the
// command, and turn its error (if any) into one log line and exit status 1.
#include <unistd.h>

#include <cstring>
#include <span>
#include <string_view>

#include "ocirun/cli.hpp"
#include "ocirun/commands.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/log.hpp"
#include "ocirun/version.hpp"

namespace {

using namespace ocirun;

using CommandFn = Result<int> (*)(const cli::Invocation&);

struct Dispatch {
  const char* name;
  CommandFn fn;
};

// The commands that are implemented; the rest of the CLI-CONTRACT surface is
// parsed, and reported as not implemented yet.
constexpr Dispatch kDispatch[] = {
    {"create", cmd_create},     {"delete", cmd_delete}, {"events", cmd_events},
    {"exec", cmd_exec},         {"features", cmd_features},
    {"kill", cmd_kill},         {"list", cmd_list},     {"pause", cmd_pause},
    {"ps", cmd_ps},             {"resume", cmd_resume}, {"run", cmd_run},
    {"spec", cmd_spec},         {"start", cmd_start},   {"state", cmd_state},
    {"update", cmd_update},     {"validate", cmd_validate},
};

CommandFn find_dispatch(std::string_view name) {
  for (const Dispatch& d : kDispatch)
    if (name == d.name) return d.fn;
  return nullptr;
}

// The name this binary answers to in --version: "runc" when installed as
// runc, for go-runc's version parsing.
std::string_view invoked_name(const char* argv0) {
  std::string_view s = argv0 != nullptr ? argv0 : "ocirun";
  if (std::size_t slash = s.rfind('/'); slash != std::string_view::npos) s.remove_prefix(slash + 1);
  return s == "runc" ? "runc" : "ocirun";
}

log::Format log_format(cli::LogFormat f) {
  return f == cli::LogFormat::Json ? log::Format::Json : log::Format::Text;
}

}  // namespace

int main(int argc, char** argv) {
  std::span<const char* const> words(const_cast<const char* const*>(argv) + (argc > 0 ? 1 : 0),
                                     argc > 0 ? static_cast<std::size_t>(argc - 1) : 0);

  // 1. Parse the command line. On an error the global flags read so far
  //    still choose where the error goes.
  cli::Invocation inv;
  Result<> parsed = cli::parse(words, inv);

  // 2. Open the log the caller asked for (containerd reads its last error line).
  const std::string* log_path = inv.global.log ? &*inv.global.log : nullptr;
  if (Result<> r = log::init(log_path, log_format(inv.global.log_format), inv.global.debug); !r) {
    log::error(r.error().msg);
    return 1;
  }
  if (!parsed) {
    log::error(parsed.error().msg);
    return 1;
  }

  // 3. The informational flags.
  if (inv.version) {
    (void)fs::write_all(STDOUT_FILENO, version_text(invoked_name(argc > 0 ? argv[0] : nullptr)));
    return 0;
  }
  if (inv.help || inv.command == nullptr) {
    (void)fs::write_all(STDOUT_FILENO, cli::help_text(inv.command));
    return 0;
  }

  // 4. Run the command.
  CommandFn fn = find_dispatch(inv.command->name);
  if (fn == nullptr) {
    log::error(std::string(inv.command->name) + ": not implemented yet");
    return 1;
  }
  Result<int> status = fn(inv);
  if (!status) {
    log::error(status.error().msg);
    return 1;
  }
  return *status;
}
