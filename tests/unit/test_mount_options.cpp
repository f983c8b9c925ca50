#include <catch2/catch.hpp>

#include <sys/mount.h>

#include "ocirun/mount_options.hpp"

using namespace ocirun;

TEST_CASE("mount options: flags, later ones win", "[mount]") {
  auto o = parse_mount_options({"nosuid", "noexec", "nodev", "ro", "rw", "strictatime"});
  REQUIRE(o);
  CHECK(o->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_STRICTATIME));
  CHECK(o->data.empty());
  CHECK(!o->bind);
}

TEST_CASE("mount options: unknown options are filesystem data, in order", "[mount]") {
  auto o = parse_mount_options({"nosuid", "mode=755", "size=65536k"});
  REQUIRE(o);
  CHECK(o->flags == MS_NOSUID);
  CHECK(o->data == "mode=755,size=65536k");
}

TEST_CASE("mount options: bind, rbind and propagation", "[mount]") {
  auto b = parse_mount_options({"rbind", "ro", "rprivate"});
  REQUIRE(b);
  CHECK(b->bind);
  CHECK(b->flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(b->propagation == (MS_PRIVATE | MS_REC));
  auto s = parse_mount_options({"bind", "shared"});
  REQUIRE(s);
  CHECK(s->flags == MS_BIND);
  CHECK(s->propagation == MS_SHARED);
}

TEST_CASE("mount options: what this build cannot apply yet is refused", "[mount]") {
  for (const char* opt : {"rro", "rnosuid", "tmpcopyup", "idmap", "ridmap"}) {
    auto o = parse_mount_options({opt});
    INFO(opt);
    REQUIRE(!o);
    CHECK(o.error().code == ENOTSUP);
    CHECK(o.error().msg == std::string("mount option \"") + opt + "\" is not supported yet");
  }
}
