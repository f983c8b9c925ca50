#include <catch2/catch.hpp>

#include <sys/mount.h>

#include <algorithm>

#include "ocirun/mount_options.hpp"

using namespace ocirun;

TEST_CASE("mount options: flags, later ones win", "[mount]") {
  auto o = parse_mount_options({"nosuid", "noexec", "nodev", "ro", "rw", "strictatime"});
  REQUIRE(o);
  CHECK(o->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_STRICTATIME));
  CHECK(o->attr.set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV | MOUNT_ATTR_STRICTATIME));
  CHECK(o->attr.clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME));
  CHECK(o->sb_flags == std::vector<std::string>{"rw"});
  CHECK(o->data.empty());
  CHECK(o->rattr.empty());
  CHECK(!o->bind);
}

TEST_CASE("mount options: unknown options are filesystem data, in order", "[mount]") {
  auto o = parse_mount_options({"nosuid", "mode=755", "size=65536k", "newinstance,gid=5"});
  REQUIRE(o);
  CHECK(o->flags == MS_NOSUID);
  CHECK(o->data == "mode=755,size=65536k,newinstance,gid=5");
  CHECK(o->fs_params == std::vector<std::string>{"mode=755", "size=65536k", "newinstance", "gid=5"});
  // A comma inside double quotes belongs to the value, as mount(8) reads it.
  auto q = parse_mount_options({"context=\"system_u:object_r:x:s0:c1,c2\""});
  REQUIRE(q);
  CHECK(q->fs_params == std::vector<std::string>{"context=\"system_u:object_r:x:s0:c1,c2\""});
}

TEST_CASE("mount options: bind, rbind and propagation", "[mount]") {
  auto b = parse_mount_options({"rbind", "ro", "rprivate"});
  REQUIRE(b);
  CHECK(b->bind);
  CHECK(b->recursive);
  CHECK(b->flags == (MS_BIND | MS_REC | MS_RDONLY));
  CHECK(b->attr.set == MOUNT_ATTR_RDONLY);
  CHECK(b->propagation == (MS_PRIVATE | MS_REC));
  auto s = parse_mount_options({"bind", "shared"});
  REQUIRE(s);
  CHECK(s->flags == MS_BIND);
  CHECK(!s->recursive);
  CHECK(s->propagation == MS_SHARED);
}

TEST_CASE("mount options: recursive r* options are mount attributes for every submount", "[mount]") {
  auto o = parse_mount_options({"rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow", "rnodiratime"});
  REQUIRE(o);
  CHECK(o->rattr.set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                         MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME));
  CHECK(o->rattr.clr == 0);
  CHECK(o->attr.empty());
  CHECK(o->data.empty());
  auto c = parse_mount_options({"rro", "rrw", "rsuid", "rdev", "rexec", "rsymfollow", "rdiratime"});
  REQUIRE(c);
  CHECK(c->rattr.set == 0);
  CHECK(c->rattr.clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                         MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODIRATIME));
}

TEST_CASE("mount options: the atime family replaces itself, recursively or not", "[mount]") {
  struct Case {
    const char* opt;
    std::uint64_t attr;
  };
  for (Case c : {Case{"noatime", MOUNT_ATTR_NOATIME}, Case{"relatime", MOUNT_ATTR_RELATIME},
                 Case{"strictatime", MOUNT_ATTR_STRICTATIME}, Case{"atime", MOUNT_ATTR_RELATIME},
                 Case{"norelatime", MOUNT_ATTR_STRICTATIME}, Case{"nostrictatime", MOUNT_ATTR_RELATIME}}) {
    INFO(c.opt);
    auto o = parse_mount_options({"noatime", c.opt});
    REQUIRE(o);
    CHECK((o->attr.set & MOUNT_ATTR__ATIME) == c.attr);
    CHECK(o->attr.clr == MOUNT_ATTR__ATIME);
    auto r = parse_mount_options({"rnoatime", std::string("r") + c.opt});
    REQUIRE(r);
    CHECK((r->rattr.set & MOUNT_ATTR__ATIME) == c.attr);
    CHECK(r->rattr.clr == MOUNT_ATTR__ATIME);
  }
}

TEST_CASE("mount options: superblock flags go to fsconfig, the last of a pair wins", "[mount]") {
  auto o = parse_mount_options({"ro", "sync", "async", "dirsync", "lazytime", "mand", "nomand", "rw"});
  REQUIRE(o);
  CHECK(o->sb_flags == std::vector<std::string>{"async", "dirsync", "lazytime", "nomand", "rw"});
  // silent and iversion have nothing to apply: neither flag nor data.
  auto s = parse_mount_options({"silent", "iversion"});
  REQUIRE(s);
  CHECK(s->sb_flags.empty());
  CHECK(s->data.empty());
}

TEST_CASE("mount options: tmpcopyup, idmap, ridmap and remount are not filesystem data", "[mount]") {
  auto o = parse_mount_options({"tmpcopyup", "mode=755"});
  REQUIRE(o);
  CHECK(o->tmpcopyup);
  CHECK(o->data == "mode=755");
  auto i = parse_mount_options({"bind", "idmap"});
  REQUIRE(i);
  CHECK(i->idmap == IdmapKind::Top);
  CHECK(i->data.empty());
  auto r = parse_mount_options({"rbind", "ridmap"});
  REQUIRE(r);
  CHECK(r->idmap == IdmapKind::Recursive);
  auto m = parse_mount_options({"remount", "ro"});
  REQUIRE(m);
  CHECK(m->remount);
  CHECK(m->flags == (MS_REMOUNT | MS_RDONLY));
}

TEST_CASE("mount options: every recognized option parses to something other than data", "[mount]") {
  for (const std::string& opt : recognized_mount_options()) {
    INFO(opt);
    auto o = parse_mount_options({opt});
    REQUIRE(o);
    CHECK(o->data.empty());
  }
  std::vector<std::string> all = recognized_mount_options();
  for (const char* want : {"rro", "rnosuid", "rnoatime", "rrelatime", "nosymfollow", "tmpcopyup", "rbind"})
    CHECK(std::find(all.begin(), all.end(), want) != all.end());
}

TEST_CASE("mount options: mountLabel becomes context= of new filesystems, not of binds, proc, sysfs, mqueue, cgroup",
          "[mount]") {
  const std::string label = "system_u:object_r:container_file_t:s0:c1,c2";
  MountOptions tmpfs = parse_mount_options({"nosuid", "mode=755"}).value();
  add_mount_label(tmpfs, "tmpfs", label);
  REQUIRE(tmpfs.fs_params == std::vector<std::string>{"mode=755", "context=" + label});
  REQUIRE(tmpfs.data == "mode=755,context=\"" + label + "\"");
  MountOptions devpts = parse_mount_options({}).value();
  add_mount_label(devpts, "devpts", label);
  REQUIRE(devpts.fs_params == std::vector<std::string>{"context=" + label});
  for (const char* type : {"proc", "sysfs", "mqueue", "cgroup", "cgroup2", "bind"}) {
    MountOptions o = parse_mount_options({"ro"}).value();
    add_mount_label(o, type, label);
    CHECK(o.fs_params.empty());
  }
  MountOptions bind = parse_mount_options({"rbind"}).value();
  add_mount_label(bind, "tmpfs", label);
  REQUIRE(bind.fs_params.empty());
  MountOptions none = parse_mount_options({}).value();
  add_mount_label(none, "tmpfs", "");
  REQUIRE(none.fs_params.empty());
}
