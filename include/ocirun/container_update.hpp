// update: new resource limits for a created, running or paused container.
//
//   update ID --resources FILE|-   a LinuxResources document (podman sends a
//                                  file, containerd stdin); the other flags
//                                  are then ignored, as runc ignores them
//   update ID --memory 512m ...    runc's single-value flags
//
// The new values are merged into the resources the container has (its saved
// config.json, which earlier updates rewrote), applied to its cgroups, and
// written back into that saved config.json, so that the next update merges
// into them and exec, state and delete read the same config. As in runc,
// the device rules are not changed by update (containerd sends the whole
// LinuxResources, devices included, and expects them to be left alone),
// nor are linux.resources.network and rdma.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ocirun/cli.hpp"
#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"
#include "ocirun/state.hpp"

namespace ocirun {

// A memory size as runc's flags take it (go-units RAMInBytes): "1024",
// "512k", "64m", "1.5g", "2GiB", "100 MB" (binary multiples, any case), or
// "-1" for unlimited.
Result<std::int64_t> parse_memory_size(std::string_view text);

// The LinuxResources that update's single-value flags ask for: only the
// fields given are set. Errors name the flag.
Result<LinuxResources> resources_from_flags(const cli::Invocation& inv);

// Merges `update` into `stored` (pure). Set fields replace stored ones;
// non-empty lists (block IO devices, hugepage limits) replace the stored
// lists; unified keys are added or replaced one by one. devices, network
// and rdma stay as stored. As runc, memory.limit -1 without a swap value
// makes swap unlimited too (on v1 a memsw limit below the new memory
// limit would refuse it).
void merge_resources(LinuxResources& stored, const LinuxResources& update);

// LinuxResources as JSON, in the spec's field names; parse_linux_resources()
// reads it back to the same model.
std::string serialize_resources(const LinuxResources& r);

// config.json text with linux.resources replaced by `resources_json` (added
// when absent); every other member is kept, in order.
Result<std::string> replace_config_resources(std::string_view config_text, std::string_view resources_json);

// The whole update: merge, memory.checkBeforeUpdate, apply to the cgroups,
// save the config. A stopped container is refused ("container not running").
Result<> update_container(ContainerLock& lock, const LinuxResources& update);

}  // namespace ocirun
