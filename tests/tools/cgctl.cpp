// cgctl OP DIR...: the runtime's own cgroup operations (cgroup_apply.hpp) on
// a container's cgroup directories, for the integration tests, until the
// commands that use them (pause, resume, kill --all, events) call them.
//   cgctl freeze|thaw|state|kill|pids|stats DIR...
//   cgctl apply DIR... < RESOURCES.json  (apply_resources, as update calls it)
//   cgctl allow-all-devices DIR   (v2: replaces the device filter with one
//                                  that allows everything, as an update would)
// DIR... are the container's directories in each mounted hierarchy (one on a
// pure v2 host). Prints the result on stdout; errors on stderr, exit 1.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <fcntl.h>

#include "ocirun/bpf_devices.hpp"
#include "ocirun/cgroup_apply.hpp"
#include "ocirun/fs.hpp"

using namespace ocirun;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cgctl freeze|thaw|state|kill|pids|stats DIR...\n");
    return 2;
  }
  std::string op = argv[1];
  std::string dirs;
  for (int i = 2; i < argc; i++) dirs += std::string(argv[i]) + "\n";
  Result<ContainerCgroups> cg = container_cgroups_of(dirs);
  Result<> r;
  if (!cg) {
    r = tl::unexpected(cg.error());
  } else if (op == "freeze") {
    r = freeze_cgroup(*cg);
  } else if (op == "thaw") {
    r = thaw_cgroup(*cg);
  } else if (op == "kill") {
    r = kill_cgroup(*cg);
  } else if (op == "state") {
    Result<std::string> s = freezer_state(*cg);
    if (s) std::printf("%s\n", s->c_str());
    else r = tl::unexpected(s.error());
  } else if (op == "pids") {
    Result<std::vector<int>> p = cgroup_pids(*cg);
    if (p)
      for (int pid : *p) std::printf("%d\n", pid);
    else
      r = tl::unexpected(p.error());
  } else if (op == "stats") {
    Result<std::map<std::string, std::uint64_t>> s = read_cgroup_stats(*cg);
    if (s)
      for (const auto& [k, v] : *s) std::printf("%s=%llu\n", k.c_str(), static_cast<unsigned long long>(v));
    else
      r = tl::unexpected(s.error());
  } else if (op == "apply") {
    std::string json((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    Result<LinuxResources> res = parse_linux_resources_text(json);
    if (!res) r = tl::unexpected(res.error());
    else r = apply_resources(*cg, *res);
  } else if (op == "allow-all-devices") {
    Result<UniqueFd> prog = load_device_filter(build_device_filter(DeviceRuleSet{true, {}}));
    Result<UniqueFd> dir = fs::open_dir_at(AT_FDCWD, argv[2]);
    if (!prog) r = tl::unexpected(prog.error());
    else if (!dir) r = tl::unexpected(dir.error());
    else r = attach_device_filter(dir->get(), prog->get());
  } else {
    std::fprintf(stderr, "cgctl: unknown operation %s\n", op.c_str());
    return 2;
  }
  if (!r) {
    std::fprintf(stderr, "cgctl %s: %s\n", op.c_str(), r.error().msg.c_str());
    return 1;
  }
  return 0;
}
