#include "ocirun/features.hpp"

#include "ocirun/capabilities.hpp"
#include "ocirun/json.hpp"
#include "ocirun/lsm.hpp"
#include "ocirun/mount_options.hpp"
#include "ocirun/seccomp.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/version.hpp"
#include "ocirun_commit.h"
#include "ocirun_config.h"

namespace ocirun {

std::string features_json() {
  json::Writer w(4);
  w.begin_object();
  w.key("ociVersionMin").value(kOciVersionMin);
  w.key("ociVersionMax").value(kOciVersionMax);
  w.key("hooks").begin_array();
  for (const char* h : {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"})
    w.value(h);
  w.end_array();
  w.key("mountOptions").begin_array();
  for (const std::string& o : recognized_mount_options()) w.value(o);
  w.end_array();
  // linux: what is applied; intelRdt is listed as disabled (create refuses it).
  w.key("linux").begin_object();
  w.key("namespaces").begin_array();
  for (const char* n : {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}) w.value(n);
  w.end_array();
  w.key("capabilities").begin_array();
  for (int cap = 0; cap <= kCapLast; cap++) w.value(capability_name(cap));
  w.end_array();
  w.key("seccomp").begin_object();
  w.key("enabled").value(true);
  w.key("actions").begin_array();
  for (SeccompAction a : all_seccomp_actions()) w.value(seccomp_action_name(a));
  w.end_array();
  w.key("operators").begin_array();
  for (SeccompOperator op : all_seccomp_operators()) w.value(seccomp_operator_name(op));
  w.end_array();
  w.key("archs").begin_array();
  for (SeccompArch a : all_seccomp_archs())
    if (seccomp_arch_supported(a)) w.value(seccomp_arch_name(a));
  w.end_array();
  w.key("knownFlags").begin_array();
  for (SeccompFlag f : all_seccomp_flags()) w.value(seccomp_flag_name(f));
  w.end_array();
  w.key("supportedFlags").begin_array();
  for (SeccompFlag f : seccomp_supported_flags()) w.value(seccomp_flag_name(f));
  w.end_array();
  w.end_object();
  w.key("apparmor").begin_object().key("enabled").value(apparmor_enabled()).end_object();
  w.key("selinux").begin_object().key("enabled").value(selinux_enabled()).end_object();
  // Mount uidMappings/gidMappings (idmapped mounts, rootfs.cpp).
  w.key("mountExtensions").begin_object().key("idmap").begin_object().key("enabled").value(true).end_object().end_object();
  w.key("netDevices").begin_object();
  w.key("enabled").value(true);
  w.end_object();
  w.key("memoryPolicy").begin_object();
  w.key("modes").begin_array();
  for (std::string_view m : memory_policy_mode_names()) w.value(m);
  w.end_array();
  w.key("flags").begin_array();
  for (std::string_view f : memory_policy_flag_names()) w.value(f);
  w.end_array();
  w.end_object();
  // cgroupfs on v1 (hybrid hosts) and v2; no systemd driver yet.
  w.key("cgroup").begin_object();
  w.key("v1").value(true);
  w.key("v2").value(true);
  w.key("systemd").value(false);
  w.key("systemdUser").value(false);
  w.key("rdma").value(true);
  w.end_object();
  // linux.intelRdt is refused by create (container_create.cpp), and update
  // refuses --l3-cache-schema and --mem-bw-schema: say so rather than leave
  // callers to guess.
  w.key("intelRdt").begin_object().key("enabled").value(false).end_object();
  w.end_object();
  // Annotation keys follow crun's run.oci.<runtime>.* convention.
  w.key("annotations").begin_object();
  w.key("run.oci.ocirun.commit").value(OCIRUN_COMMIT);
  w.key("run.oci.ocirun.version").value(OCIRUN_VERSION);
  w.key("io.github.seccomp.libseccomp.version").value(libseccomp_version());
  w.end_object();
  // No annotation of config.json changes what ocirun does (none is read but
  // to be reported back by `state`), so none is potentially unsafe.
  w.key("potentiallyUnsafeConfigAnnotations").begin_array().end_array();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace ocirun
