// linux.netDevices: host network interfaces moved into the container's
// network namespace (config-linux.md "Network Devices"), with their
// permanent global addresses kept and their state set to up.
#pragma once

#include <string>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

// Before anything is made: every host interface exists in the runtime's
// network namespace (the spec's "check if moving ... is possible").
Result<> check_net_devices(const std::vector<NetDevice>& devices);

// Moves each device into the network namespace at netns_path, renamed as
// the config says, re-adds its permanent global addresses there (a move
// drops them) and sets it up. Returns to the runtime's namespace.
Result<> move_net_devices(const std::vector<NetDevice>& devices, const std::string& netns_path);

}  // namespace ocirun
