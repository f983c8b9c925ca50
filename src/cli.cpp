#include "ocirun/cli.hpp"

#include <array>
#include <charconv>

namespace ocirun::cli {

namespace {

// ---- The flags of each command, as CLI-CONTRACT.md and runc define them ----

constexpr FlagSpec kCreateFlags[] = {
    {"bundle", 'b', true, "DIR", "path to the bundle directory (default: the current directory)"},
    {"console-socket", 0, true, "PATH", "unix socket that receives the pty master when process.terminal is true"},
    {"pidfd-socket", 0, true, "PATH", "unix socket that receives a pidfd of the container's process"},
    {"pid-file", 0, true, "PATH", "write the container process's host pid to this file"},
    {"no-pivot", 0, false, "", "do not use pivot_root (for a rootfs on a ramdisk)"},
    {"no-new-keyring", 0, false, "", "do not create a new session keyring for the container"},
    {"preserve-fds", 0, true, "N", "pass N additional file descriptors (from 3) to the container"},
};

constexpr FlagSpec kRunOnlyFlags[] = {
    {"detach", 'd', false, "", "detach from the container's process"},
    {"keep", 0, false, "", "do not delete the container after it exits"},
    {"no-subreaper", 0, false, "", "do not make ocirun a subreaper of the container's processes"},
};

template <std::size_t A, std::size_t B>
constexpr std::array<FlagSpec, A + B> concat(const FlagSpec (&a)[A], const FlagSpec (&b)[B]) {
  std::array<FlagSpec, A + B> out{};
  for (std::size_t i = 0; i < A; i++) out[i] = a[i];
  for (std::size_t i = 0; i < B; i++) out[A + i] = b[i];
  return out;
}

// run takes create's flags and its own.
constexpr auto kRunFlags = concat(kCreateFlags, kRunOnlyFlags);

constexpr FlagSpec kKillFlags[] = {
    {"all", 'a', false, "", "send the signal to every process of the container"},
};

constexpr FlagSpec kDeleteFlags[] = {
    {"force", 'f', false, "", "kill the container if it is running, then delete it"},
};

constexpr FlagSpec kListFlags[] = {
    {"format", 'f', true, "FORMAT", "table or json"},
    {"quiet", 'q', false, "", "print only the container ids"},
};

constexpr FlagSpec kPsFlags[] = {
    {"format", 'f', true, "FORMAT", "table or json"},
};

constexpr FlagSpec kExecFlags[] = {
    {"process", 'p', true, "FILE", "a runtime-spec process JSON file describing the process"},
    {"detach", 'd', false, "", "detach from the process"},
    {"pid-file", 0, true, "PATH", "write the process's host pid to this file"},
    {"console-socket", 0, true, "PATH", "unix socket that receives the pty master with --tty"},
    {"pidfd-socket", 0, true, "PATH", "unix socket that receives a pidfd of the process"},
    {"tty", 't', false, "", "allocate a pseudo-terminal"},
    {"cwd", 0, true, "DIR", "working directory in the container"},
    {"env", 'e', true, "VAR=VALUE", "set an environment variable (repeatable)"},
    {"user", 'u', true, "UID[:GID]", "user and group to run as"},
    {"additional-gids", 'g', true, "GID", "an additional group (repeatable)"},
    {"no-new-privs", 0, false, "", "set no_new_privs for the process"},
    {"cap", 'c', true, "CAP", "add a capability (repeatable)"},
    {"apparmor", 0, true, "PROFILE", "AppArmor profile for the process"},
    {"process-label", 0, true, "LABEL", "SELinux label for the process"},
    {"preserve-fds", 0, true, "N", "pass N additional file descriptors (from 3) to the process"},
    {"cgroup", 0, true, "PATH", "run in this sub-cgroup of the container (cgroup v2)"},
    {"ignore-paused", 0, false, "", "allow exec into a paused container"},
};

constexpr FlagSpec kUpdateFlags[] = {
    {"resources", 'r', true, "FILE", "LinuxResources JSON file, or - for standard input"},
    {"blkio-weight", 0, true, "N", "block IO weight (10 to 1000)"},
    {"cpu-period", 0, true, "N", "CPU CFS period in microseconds"},
    {"cpu-quota", 0, true, "N", "CPU CFS quota in microseconds per period (-1: no limit)"},
    {"cpu-burst", 0, true, "N", "CPU CFS burst in microseconds"},
    {"cpu-share", 0, true, "N", "CPU shares (relative weight)"},
    {"cpu-rt-period", 0, true, "N", "CPU realtime period in microseconds"},
    {"cpu-rt-runtime", 0, true, "N", "CPU realtime runtime in microseconds"},
    {"cpu-idle", 0, true, "N", "set the cgroup's cpu.idle (0 or 1)"},
    {"cpuset-cpus", 0, true, "LIST", "CPUs the container may use (0-3, 0,1)"},
    {"cpuset-mems", 0, true, "LIST", "memory nodes the container may use"},
    {"kernel-memory", 0, true, "BYTES", "ignored (obsolete, as in runc)", true},
    {"kernel-memory-tcp", 0, true, "BYTES", "ignored (obsolete, as in runc)", true},
    {"memory", 0, true, "BYTES", "memory limit (512m, 1g, ...; -1: no limit)"},
    {"memory-reservation", 0, true, "BYTES", "memory soft limit (-1: none)"},
    {"memory-swap", 0, true, "BYTES", "memory plus swap limit (-1: unlimited swap)"},
    {"pids-limit", 0, true, "N", "maximum number of processes (negative: no limit; 0 leaves it as it is, as in runc)"},
    {"l3-cache-schema", 0, true, "SCHEMA", "Intel RDT L3 cache schema (not supported: refused)"},
    {"mem-bw-schema", 0, true, "SCHEMA", "Intel RDT memory bandwidth schema (not supported: refused)"},
};

constexpr FlagSpec kEventsFlags[] = {
    {"interval", 0, true, "DURATION", "interval between stats events (default 5s; 500ms, 1m, ...)"},
    {"stats", 0, false, "", "print one stats object and exit"},
};

constexpr FlagSpec kCheckpointFlags[] = {
    {"image-path", 0, true, "DIR", "where to save the checkpoint images"},
    {"work-path", 0, true, "DIR", "where to save CRIU's logs and work files"},
    {"parent-path", 0, true, "DIR", "path of the previous (pre-dump) checkpoint"},
    {"leave-running", 0, false, "", "leave the container running after the checkpoint"},
    {"tcp-established", 0, false, "", "allow open TCP connections"},
    {"ext-unix-sk", 0, false, "", "allow external unix sockets"},
    {"shell-job", 0, false, "", "allow shell jobs"},
    {"lazy-pages", 0, false, "", "use userfaultfd to lazily restore memory pages"},
    {"status-fd", 0, true, "FD", "fd on which CRIU reports readiness for lazy migration"},
    {"page-server", 0, true, "ADDR", "address of a CRIU page server"},
    {"file-locks", 0, false, "", "handle file locks"},
    {"pre-dump", 0, false, "", "dump only the memory pages"},
    {"manage-cgroups-mode", 0, true, "MODE", "cgroups mode: soft, full, strict or ignore"},
    {"empty-ns", 0, true, "NS", "create this namespace empty, without its properties"},
    {"auto-dedup", 0, false, "", "deduplicate the images as they are written"},
};

constexpr FlagSpec kRestoreFlags[] = {
    {"console-socket", 0, true, "PATH", "unix socket that receives the pty master"},
    {"image-path", 0, true, "DIR", "where the checkpoint images are"},
    {"work-path", 0, true, "DIR", "where to save CRIU's logs and work files"},
    {"tcp-established", 0, false, "", "allow open TCP connections"},
    {"ext-unix-sk", 0, false, "", "allow external unix sockets"},
    {"shell-job", 0, false, "", "allow shell jobs"},
    {"file-locks", 0, false, "", "handle file locks"},
    {"manage-cgroups-mode", 0, true, "MODE", "cgroups mode: soft, full, strict or ignore"},
    {"bundle", 'b', true, "DIR", "path to the bundle directory"},
    {"detach", 'd', false, "", "detach from the container's process"},
    {"pid-file", 0, true, "PATH", "write the container process's host pid to this file"},
    {"no-subreaper", 0, false, "", "do not make ocirun a subreaper"},
    {"no-pivot", 0, false, "", "do not use pivot_root"},
    {"empty-ns", 0, true, "NS", "create this namespace empty"},
    {"auto-dedup", 0, false, "", "deduplicate the images"},
    {"lazy-pages", 0, false, "", "use userfaultfd to lazily restore memory pages"},
    {"lsm-profile", 0, true, "TYPE:LABEL", "LSM profile to restore with"},
    {"lsm-mount-context", 0, true, "CONTEXT", "SELinux mount context to restore with"},
};

constexpr FlagSpec kSpecFlags[] = {
    {"bundle", 'b', true, "DIR", "where to write config.json (default: the current directory)"},
    {"rootless", 0, false, "", "write a config for a container run by a non-root user"},
};

constexpr FlagSpec kValidateFlags[] = {
    {"bundle", 'b', true, "DIR", "path to the bundle directory (default: the current directory)"},
};

constexpr std::span<const FlagSpec> kNoFlags{};

constexpr CommandSpec kCommands[] = {
    {"checkpoint", "CONTAINER_ID", "checkpoint a running container (CRIU)",
     "Saves the state of a running container with CRIU.", kCheckpointFlags, 1, 1},
    {"create", "CONTAINER_ID", "create a container",
     "Creates the container from the bundle's config.json and leaves its process waiting\n"
     "before the user's program, until `start`.",
     kCreateFlags, 1, 1},
    {"delete", "CONTAINER_ID", "delete a container and everything it holds",
     "Deletes a stopped container, or a running one with --force.", kDeleteFlags, 1, 1},
    {"events", "CONTAINER_ID", "print the container's events and stats",
     "Prints a stream of JSON events, one per line (oom, and stats every --interval)\n"
     "until the container stops, or one stats object with --stats.",
     kEventsFlags, 1, 1},
    {"exec", "CONTAINER_ID [COMMAND [ARG...]]", "run a new process in a running container",
     "Runs COMMAND, or the process described by --process, in the container's namespaces,\n"
     "cgroup and confinement.",
     kExecFlags, 1, -1, true},
    {"features", "", "print the features this build implements (JSON)",
     "Prints the runtime-spec features document: what this build of ocirun implements.",
     kNoFlags, 0, 0},
    {"kill", "CONTAINER_ID [SIGNAL]", "send a signal to the container's process",
     "Sends SIGNAL (a name such as KILL or SIGKILL, or a number; default SIGTERM)\n"
     "to the container's process, or to all of its processes with --all.",
     kKillFlags, 1, 2},
    {"list", "", "list the containers",
     "Lists the containers of the state directory.", kListFlags, 0, 0},
    {"pause", "CONTAINER_ID", "suspend every process of the container",
     "Freezes the container's processes with the cgroup freezer; `state` then says paused.", kNoFlags, 1, 1},
    {"ps", "CONTAINER_ID [PS_ARGS...]", "list the processes of the container",
     "Lists the container's processes: host pids as JSON with --format json, or ps(1) output.",
     kPsFlags, 1, -1, true},
    {"restore", "CONTAINER_ID", "restore a container from a checkpoint (CRIU)",
     "Restores a container from CRIU images.", kRestoreFlags, 1, 1},
    {"resume", "CONTAINER_ID", "resume every process of a paused container",
     "Thaws the container's processes.", kNoFlags, 1, 1},
    {"run", "CONTAINER_ID", "create and start a container",
     "Creates and starts the container; in the foreground, forwards signals and exits\n"
     "with the container process's status (128+N when killed by signal N).",
     kRunFlags, 1, 1},
    {"spec", "", "write a default config.json",
     "Writes a default config.json into the bundle directory; refuses to overwrite one.",
     kSpecFlags, 0, 0},
    {"start", "CONTAINER_ID", "start a created container",
     "Runs the user's program in a container made by `create`.", kNoFlags, 1, 1},
    {"state", "CONTAINER_ID", "print the state of a container (JSON)",
     "Prints the container's state as the runtime-spec describes it.", kNoFlags, 1, 1},
    {"update", "CONTAINER_ID", "update the resource limits of a container",
     "Applies new resource limits from --resources (LinuxResources JSON, - for stdin;\n"
     "the other flags are then ignored) or from the single-value flags, merged into\n"
     "the container's current limits. Device rules are not changed.",
     kUpdateFlags, 1, 1},
    {"validate", "", "check a bundle's config.json",
     "Parses and validates the bundle's config.json as create would, and reports the first error.",
     kValidateFlags, 0, 0},
};

// Global flags, which come before the command.
constexpr FlagSpec kGlobalFlags[] = {
    {"root", 0, true, "DIR", "state directory (default /run/ocirun, or $XDG_RUNTIME_DIR/ocirun when not root)"},
    {"log", 0, true, "FILE", "log file (default: standard error)"},
    {"log-format", 0, true, "FORMAT", "text or json"},
    {"debug", 0, false, "", "log debug messages"},
    {"systemd-cgroup", 0, false, "", "manage cgroups through systemd (not supported yet)"},
    {"rootless", 0, true, "true|false|auto", "how to treat a non-root caller (default auto)"},
    {"version", 'v', false, "", "print the version"},
    {"help", 'h', false, "", "show help"},
};

std::string quoted(std::string_view s) {
  // Arguments are echoed in errors; keep them short and printable.
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 64) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  out += '"';
  return out;
}

const FlagSpec* find_flag(std::span<const FlagSpec> flags, std::string_view name) {
  for (const FlagSpec& f : flags)
    if (name == f.name) return &f;
  return nullptr;
}

const FlagSpec* find_short(std::span<const FlagSpec> flags, char c) {
  for (const FlagSpec& f : flags)
    if (f.short_name == c) return &f;
  return nullptr;
}

Result<bool> parse_bool(std::string_view flag, std::string_view v) {
  // The spellings Go's strconv.ParseBool accepts.
  if (v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") return false;
  return fail("invalid boolean value " + quoted(v) + " for flag --" + std::string(flag));
}

// One flag word, split into the flag and, when written `--x=v`, its value.
struct FlagWord {
  const FlagSpec* spec = nullptr;
  std::optional<std::string_view> inline_value;
};

// Recognises `arg` as a flag of `flags`; the words that follow are in rest.
// On success, appends (name, value) through `emit` and advances `i` past any
// value word it consumed.
template <typename Emit>
Result<> take_flag(std::span<const FlagSpec> flags, std::string_view where,
                   std::span<const char* const> words, std::size_t& i, Emit&& emit) {
  std::string_view arg = words[i];
  std::string_view body = arg.substr(arg.starts_with("--") ? 2 : 1);
  std::optional<std::string_view> inline_value;
  if (std::size_t eq = body.find('='); eq != std::string_view::npos) {
    inline_value = body.substr(eq + 1);
    body = body.substr(0, eq);
  }
  const FlagSpec* spec = find_flag(flags, body);
  // A single-dash word that is not a long flag: short flags, maybe combined.
  if (spec == nullptr && !arg.starts_with("--")) {
    if (body.size() == 1) {
      spec = find_short(flags, body[0]);
    } else if (!inline_value) {
      // -dt: every letter a boolean switch.
      bool all = true;
      for (char c : body) {
        const FlagSpec* s = find_short(flags, c);
        if (s == nullptr || s->takes_value) all = false;
      }
      if (all) {
        for (char c : body) emit(find_short(flags, c)->name, std::string("true"));
        return {};
      }
    }
  }
  if (spec == nullptr)
    return fail(std::string(where) + "flag provided but not defined: " + quoted(arg));
  if (spec->takes_value) {
    if (inline_value) {
      emit(spec->name, std::string(*inline_value));
    } else {
      if (i + 1 >= words.size())
        return fail(std::string(where) + "flag --" + spec->name + " needs a value");
      emit(spec->name, std::string(words[++i]));
    }
  } else {
    bool on = true;
    if (inline_value) on = TRY(parse_bool(spec->name, *inline_value));
    emit(spec->name, std::string(on ? "true" : "false"));
  }
  return {};
}

bool looks_like_flag(std::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

}  // namespace

std::span<const CommandSpec> commands() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

bool Invocation::has(std::string_view name) const {
  for (const auto& [n, v] : flags)
    if (n == name) return true;
  return false;
}

std::optional<std::string_view> Invocation::value(std::string_view name) const {
  std::optional<std::string_view> out;
  for (const auto& [n, v] : flags)
    if (n == name) out = v;
  return out;
}

std::vector<std::string_view> Invocation::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : flags)
    if (n == name) out.push_back(v);
  return out;
}

bool Invocation::flag(std::string_view name) const {
  std::optional<std::string_view> v = value(name);
  return v && *v == "true";
}

Result<unsigned long long> parse_uint(std::string_view flag, std::string_view text) {
  unsigned long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return fail("invalid value " + quoted(text) + " for flag --" + std::string(flag) +
                ": expected a non-negative integer");
  return n;
}

Result<> parse(std::span<const char* const> words, Invocation& inv) {
  inv = Invocation{};
  std::size_t i = 0;

  // Global flags, up to the command name.
  std::vector<std::pair<std::string_view, std::string>> global;
  for (; i < words.size(); i++) {
    std::string_view arg = words[i];
    if (arg == "--") {
      i++;
      break;
    }
    if (!looks_like_flag(arg)) break;
    TRY(take_flag(kGlobalFlags, "", words, i,
                  [&](std::string_view n, std::string v) { global.emplace_back(n, std::move(v)); }));
  }
  for (auto& [name, v] : global) {
    if (name == "root") {
      if (v.empty()) return fail("--root needs a non-empty directory");
      inv.global.root = v;
    } else if (name == "log") {
      inv.global.log = v;
    } else if (name == "log-format") {
      if (v == "text") inv.global.log_format = LogFormat::Text;
      else if (v == "json") inv.global.log_format = LogFormat::Json;
      else return fail("invalid --log-format " + quoted(v) + ": expected text or json");
    } else if (name == "debug") {
      inv.global.debug = v == "true";
    } else if (name == "systemd-cgroup") {
      inv.global.systemd_cgroup = v == "true";
    } else if (name == "rootless") {
      if (v == "auto") inv.global.rootless = Rootless::Auto;
      else if (v == "true") inv.global.rootless = Rootless::True;
      else if (v == "false") inv.global.rootless = Rootless::False;
      else return fail("invalid --rootless " + quoted(v) + ": expected true, false or auto");
    } else if (name == "version") {
      inv.version = v == "true";
    } else if (name == "help") {
      inv.help = v == "true";
    }
  }
  if (i >= words.size()) return {};

  // `help` and `help COMMAND`, as urfave/cli offers them.
  std::string_view name = words[i++];
  if (name == "help" || name == "h") {
    inv.help = true;
    if (i < words.size()) {
      inv.command = find_command(words[i]);
      if (inv.command == nullptr) return fail("no help topic for " + quoted(words[i]));
    }
    return {};
  }
  inv.command = find_command(name);
  if (inv.command == nullptr) return fail("unknown command " + quoted(name) + " (see ocirun --help)");
  const CommandSpec& cmd = *inv.command;
  std::string where = std::string(cmd.name) + ": ";

  bool flags_done = false;
  for (; i < words.size(); i++) {
    std::string_view arg = words[i];
    // `exec ID -- CMD`: a "--" right after the container id separates the
    // command, as users write it for docker exec; no one runs a program "--".
    bool after_id = cmd.args_end_flags && inv.args.size() == 1 && words[i - 1] == inv.args[0];
    if (arg == "--" && (!flags_done || after_id)) {
      flags_done = true;
      continue;
    }
    if (!flags_done && looks_like_flag(arg)) {
      std::string_view body = arg.substr(arg.starts_with("--") ? 2 : 1);
      if (body == "help" || body == "h") {
        inv.help = true;
        continue;
      }
      TRY(take_flag(cmd.flags, where, words, i,
                    [&](std::string_view n, std::string v) { inv.flags.emplace_back(n, std::move(v)); }));
      continue;
    }
    inv.args.emplace_back(arg);
    if (cmd.args_end_flags) flags_done = true;
  }
  if (inv.help) return {};

  int n = static_cast<int>(inv.args.size());
  if (n < cmd.min_args) {
    if (cmd.min_args == 1 && std::string_view(cmd.args_usage).starts_with("CONTAINER_ID"))
      return fail(where + "container id cannot be empty");
    return fail(where + "expected " + cmd.args_usage);
  }
  if (cmd.max_args >= 0 && n > cmd.max_args)
    return fail(where + "too many arguments (usage: ocirun " + cmd.name +
                (*cmd.args_usage ? " [options] " : " [options]") + cmd.args_usage + ")");
  return {};
}

namespace {

void append_flags(std::string& out, std::span<const FlagSpec> flags) {
  for (const FlagSpec& f : flags) {
    if (f.hidden) continue;
    std::string left = "   ";
    if (f.short_name != 0) {
      left += '-';
      left += f.short_name;
      left += ", ";
    }
    left += "--";
    left += f.name;
    if (f.takes_value) {
      left += ' ';
      left += f.value_name;
    }
    out += left;
    out.append(left.size() < 34 ? 34 - left.size() : 1, ' ');
    out += f.help;
    out += '\n';
  }
}

}  // namespace

std::string help_text(const CommandSpec* cmd) {
  std::string out;
  if (cmd == nullptr) {
    out +=
        "ocirun - a low-level container runtime for the OCI runtime specification\n"
        "\n"
        "usage: ocirun [global options] COMMAND [options] [arguments...]\n"
        "\n"
        "commands:\n";
    for (const CommandSpec& c : kCommands) {
      std::string left = std::string("   ") + c.name;
      out += left;
      out.append(left.size() < 16 ? 16 - left.size() : 1, ' ');
      out += c.summary;
      out += '\n';
    }
    out += "\nglobal options:\n";
    append_flags(out, kGlobalFlags);
    out += "\nRun `ocirun COMMAND --help` for a command's options.\n";
    return out;
  }
  out += "usage: ocirun ";
  out += cmd->name;
  if (!cmd->flags.empty()) out += " [options]";
  if (*cmd->args_usage != '\0') {
    out += ' ';
    out += cmd->args_usage;
  }
  out += "\n\n";
  out += cmd->description;
  out += "\n";
  bool any_visible = false;
  for (const FlagSpec& f : cmd->flags) any_visible = any_visible || !f.hidden;
  if (any_visible) {
    out += "\noptions:\n";
    append_flags(out, cmd->flags);
  }
  return out;
}

}  // namespace ocirun::cli
