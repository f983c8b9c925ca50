// The static binary never looks up users through NSS: a static glibc would
// have to dlopen the host's NSS modules for it, and inside a container the
// host's user database is the wrong one anyway (ocirun reads numeric ids
// only). libcap-ng's capng_change_id(), which ocirun does not call, is the
// one user of these two; defining them here keeps glibc's versions, and the
// linker's warnings about them, out of the binary.
#include <sys/types.h>

#include <cerrno>

struct passwd;

extern "C" passwd* getpwuid(uid_t) {
  errno = ENOSYS;
  return nullptr;
}

extern "C" int initgroups(const char*, gid_t) {
  errno = ENOSYS;
  return -1;
}
