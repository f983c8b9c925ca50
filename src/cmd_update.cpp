// `ocirun update ID`: --resources FILE|- or runc's single-value flags; the
// work is in container_update.cpp.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "ocirun/commands.hpp"
#include "ocirun/container_update.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/log.hpp"

namespace ocirun {

namespace {

// All of standard input (a pipe from containerd), up to the same 16 MiB a
// config file may have.
Result<std::string> read_stdin() {
  constexpr std::size_t kMax = 16u << 20;
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read standard input");
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kMax) return fail("standard input is larger than 16 MiB", EFBIG);
  }
}

Result<LinuxResources> requested_resources(const cli::Invocation& inv) {
  std::optional<std::string_view> file = inv.value("resources");
  if (!file || file->empty()) return resources_from_flags(inv);
  // As in runc, a resources document makes the other flags moot.
  for (const auto& [name, value] : inv.flags)
    if (name != "resources") log::warn("update: --" + std::string(name) + " is ignored with --resources");
  std::string where = *file == "-" ? std::string("--resources (stdin)") : "--resources `" + std::string(*file) + "`";
  std::string text = *file == "-" ? TRY_CTX(read_stdin(), where) : TRY_CTX(fs::read_file_at(AT_FDCWD, *file), where);
  // Errors name the field from the document's root, as config.json's name
  // it from its own: "--resources `r.json`: memory.limit: expected number".
  return TRY_CTX(parse_linux_resources_text(text), where);
}

}  // namespace

Result<int> cmd_update(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "update");
  LinuxResources update = TRY_CTX(requested_resources(inv), "update");
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "update");
  ContainerLock lock = TRY_CTX(store.lock(id), "update");
  TRY_CTX(update_container(lock, update), "update");
  return 0;
}

}  // namespace ocirun
