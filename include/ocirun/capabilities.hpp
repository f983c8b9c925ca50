// Linux capability names and numbers (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40).
//
// The table is our own rather than libcap-ng's: config.json names
// capabilities with the "CAP_" prefix, and which names are valid must not
// depend on the libcap-ng version the binary was linked with. Whether the
// running kernel knows a capability is a separate question, answered at run
// time from /proc/sys/kernel/cap_last_cap.
#pragma once

#include <optional>
#include <string_view>

namespace ocirun {

// The highest capability number this runtime knows, as CAP_LAST_CAP in the
// Linux 5.9+ headers (CAP_CHECKPOINT_RESTORE).
inline constexpr int kCapLast = 40;

// "CAP_SYS_ADMIN" -> 21. Names are matched exactly (upper case, with the
// prefix), as runc and crun do; anything else is nullopt.
std::optional<int> capability_from_name(std::string_view name);

// 21 -> "CAP_SYS_ADMIN"; nullptr when cap is not in 0..kCapLast.
const char* capability_name(int cap);

}  // namespace ocirun
