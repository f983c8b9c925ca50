#include "ocirun/features.hpp"

#include "ocirun/json.hpp"
#include "ocirun/mount_options.hpp"
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
  // linux: only what is applied. Capabilities, seccomp,
  // AppArmor, SELinux, intelRdt and idmapped mounts are left out (unknown)
  // until the code that applies them lands.
  w.key("linux").begin_object();
  w.key("namespaces").begin_array();
  for (const char* n : {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}) w.value(n);
  w.end_array();
  // cgroupfs on v1 (hybrid hosts) and v2; no systemd driver yet.
  w.key("cgroup").begin_object();
  w.key("v1").value(true);
  w.key("v2").value(true);
  w.key("systemd").value(false);
  w.key("systemdUser").value(false);
  w.key("rdma").value(true);
  w.end_object();
  w.end_object();
  // Annotation keys follow crun's run.oci.<runtime>.* convention.
  w.key("annotations").begin_object();
  w.key("run.oci.ocirun.commit").value(OCIRUN_COMMIT);
  w.key("run.oci.ocirun.version").value(OCIRUN_VERSION);
  w.end_object();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace ocirun
