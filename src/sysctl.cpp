#include "ocirun/sysctl.hpp"

#include <fcntl.h>

#include <array>

#include "ocirun/fs.hpp"
#include "ocirun/mounts.hpp"

namespace ocirun {

namespace {

// The IPC namespace's keys (ipc_sysctls in the kernel), besides fs/mqueue/*.
constexpr std::array<std::string_view, 8> kIpcKeys = {
    "kernel/msgmax", "kernel/msgmnb", "kernel/msgmni",  "kernel/sem",
    "kernel/shmall", "kernel/shmmax", "kernel/shmmni", "kernel/shm_rmid_forced",
};

}  // namespace

Result<std::string> sysctl_path(std::string_view key, const Linux& linux) {
  std::string path(key);
  if (path.find('/') == std::string::npos)
    for (char& c : path)
      if (c == '.') c = '/';
  std::string where = "linux.sysctl \"" + std::string(key) + "\"";
  if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos)
    return fail(where + ": not a sysctl name", EINVAL);
  auto needs = [&](NamespaceType t, const char* name) -> Result<std::string> {
    if (linux.find_namespace(t) == nullptr)
      return fail(where + ": needs a " + std::string(name) + " namespace of the container's own", EINVAL);
    return path;
  };
  if (path.starts_with("net/")) return needs(NamespaceType::Network, "network");
  if (path.starts_with("fs/mqueue/")) return needs(NamespaceType::Ipc, "ipc");
  for (std::string_view k : kIpcKeys)
    if (path == k) return needs(NamespaceType::Ipc, "ipc");
  if (path == "kernel/hostname" || path == "kernel/domainname") return needs(NamespaceType::Uts, "uts");
  return fail(where + ": not a namespaced sysctl: it would change the host", EPERM);
}

Result<> apply_sysctl(const Linux& linux, int proc_fd) {
  for (const auto& [key, value] : linux.sysctl) TRY(sysctl_path(key, linux));
  for (const auto& [key, value] : linux.sysctl) {
    std::string path = TRY(sysctl_path(key, linux));
    UniqueFd fd = TRY_CTX(mnt::open_proc_file(proc_fd, "sys/" + path, O_WRONLY), "linux.sysctl " + key);
    TRY_CTX(fs::write_all(fd.get(), value), "linux.sysctl " + key);
  }
  return {};
}

Result<> write_sysctls(const Linux& linux) {
  if (linux.sysctl.empty()) return {};
  UniqueFd proc = TRY_CTX(mnt::private_procfs(), "linux.sysctl");
  return apply_sysctl(linux, proc.get());
}

}  // namespace ocirun
