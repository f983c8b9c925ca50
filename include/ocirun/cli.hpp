// The command line: the whole surface of ../shared/CLI-CONTRACT.md, parsed
// the way runc's callers write it. Pure: no I/O, so the unit tests can feed it
// every form containerd, conmon and Podman send.
//
// Accepted forms, as Go's flag package and urfave/cli accept them:
//   --flag value, --flag=value, -flag value, -flag=value (single-dash long
//   flags, e.g. containerd's `-no-subreaper`), -f value, -f=value, combined
//   short booleans (-dt), and `--` to end the flags. Boolean flags take an
//   optional `=true`/`=false`.
// Flags may follow positional arguments (`delete ID --force`), except for
// exec and ps, where everything after the container id belongs to the
// command that is run in the container.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ocirun/error.hpp"

namespace ocirun::cli {

struct FlagSpec {
  const char* name = "";      // long name, without dashes
  char short_name = 0;        // 0 when there is none
  bool takes_value = false;   // false: a boolean switch
  const char* value_name = "";  // for --help: "DIR", "N"
  const char* help = "";
  bool hidden = false;        // accepted but not listed in --help
};

struct CommandSpec {
  const char* name;
  const char* args_usage;  // "CONTAINER_ID", "CONTAINER_ID [SIGNAL]"
  const char* summary;     // one line, for the tool's --help
  const char* description; // a paragraph, for the command's --help
  std::span<const FlagSpec> flags;
  int min_args = 0;
  int max_args = 0;  // -1: unlimited
  bool args_end_flags = false;  // exec, ps: flags stop at the first argument
};

enum class LogFormat { Text, Json };
enum class Rootless { Auto, True, False };

struct GlobalOptions {
  std::optional<std::string> root;  // --root; absent: the default state dir
  std::optional<std::string> log;   // --log; absent: stderr
  LogFormat log_format = LogFormat::Text;
  bool debug = false;
  bool systemd_cgroup = false;
  Rootless rootless = Rootless::Auto;
};

struct Invocation {
  GlobalOptions global;
  const CommandSpec* command = nullptr;  // nullptr: no subcommand given
  bool help = false;                     // --help (of the tool, or of `command`)
  bool version = false;                  // --version / -v

  // The command's flags in the order given, by long name. Booleans hold
  // "true" or "false"; repeated flags (-e, -c, -g) appear once per use.
  std::vector<std::pair<std::string_view, std::string>> flags;
  std::vector<std::string> args;  // positional arguments

  bool has(std::string_view name) const;
  // The last value given for `name` (flags may be repeated; the last wins).
  std::optional<std::string_view> value(std::string_view name) const;
  std::vector<std::string_view> values(std::string_view name) const;
  // A boolean flag: true when given without a value or as `=true`.
  bool flag(std::string_view name) const;
};

// The commands, in the order --help lists them.
std::span<const CommandSpec> commands();
const CommandSpec* find_command(std::string_view name);

// Parses argv[1..] into `out`. Errors read like `create: flag --bundle needs
// a value`; even then `out.global` holds the global flags read so far, so the
// error can go to the log file the caller asked for.
Result<> parse(std::span<const char* const> args, Invocation& out);

// --help text of the tool (cmd == nullptr) or of one command.
std::string help_text(const CommandSpec* cmd);

// Parses a flag value as a non-negative integer ("--preserve-fds 3").
Result<unsigned long long> parse_uint(std::string_view flag, std::string_view text);

}  // namespace ocirun::cli
