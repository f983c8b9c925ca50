// The cgroup v2 device filter: the program is run here by a small
// interpreter of the instructions the builder emits, on the questions the
// kernel asks, so the tests check decisions, not instruction bytes.
#include <catch2/catch.hpp>

#include "ocirun/bpf_devices.hpp"
#include "ocirun/cgroup_resources.hpp"

using namespace ocirun;

namespace {

// Runs the program on one access; fails the test on an instruction the
// builder should never emit or a jump out of the program.
int run(const std::vector<bpf_insn>& prog, int type, int access, std::uint32_t major, std::uint32_t minor) {
  std::uint32_t ctx[3] = {static_cast<std::uint32_t>(access << 16 | type), major, minor};
  std::uint64_t reg[11] = {};
  std::size_t pc = 0;
  for (int steps = 0; steps < 10000; steps++) {
    REQUIRE(pc < prog.size());
    const bpf_insn& i = prog[pc++];
    std::uint32_t imm = static_cast<std::uint32_t>(i.imm);
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        REQUIRE(i.src_reg == 1);
        REQUIRE(i.off % 4 == 0);
        REQUIRE(i.off / 4 < 3);
        reg[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K: reg[i.dst_reg] = static_cast<std::uint32_t>(reg[i.dst_reg]) & imm; break;
      case BPF_ALU | BPF_RSH | BPF_K: reg[i.dst_reg] = static_cast<std::uint32_t>(reg[i.dst_reg]) >> imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: reg[i.dst_reg] = static_cast<std::uint32_t>(reg[i.src_reg]); break;
      case BPF_ALU64 | BPF_MOV | BPF_K: reg[i.dst_reg] = static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm)); break;
      case BPF_JMP32 | BPF_JNE | BPF_K:
        if (static_cast<std::uint32_t>(reg[i.dst_reg]) != imm) pc += static_cast<std::size_t>(i.off);
        break;
      case BPF_JMP32 | BPF_JEQ | BPF_K:
        if (static_cast<std::uint32_t>(reg[i.dst_reg]) == imm) pc += static_cast<std::size_t>(i.off);
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(reg[0]);
      default: FAIL("unexpected opcode " << int(i.code));
    }
  }
  FAIL("the program does not end");
  return -1;
}

constexpr int C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
constexpr int R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

LinuxDeviceCgroup rule(bool allow, DeviceCgroupType t, std::optional<std::uint32_t> major,
                       std::optional<std::uint32_t> minor, std::uint8_t access) {
  return {allow, t, major, minor, access};
}

// The program for these rules, reduced as apply_resources reduces them.
std::vector<bpf_insn> filter(const std::vector<LinuxDeviceCgroup>& rules) {
  Result<DeviceRuleSet> set = reduce_device_rules(rules);
  REQUIRE(set);
  return build_device_filter(*set);
}

}  // namespace

TEST_CASE("device filter: the default rules allow the standard devices and nothing else", "[bpf_devices]") {
  auto prog = filter(effective_device_rules({}));
  CHECK(run(prog, C, R | W, 1, 3) == 1);   // /dev/null
  CHECK(run(prog, C, M, 1, 9) == 1);       // mknod /dev/urandom
  CHECK(run(prog, C, R | W, 136, 7) == 1); // /dev/pts/7
  CHECK(run(prog, C, R | W, 5, 2) == 1);   // /dev/ptmx
  CHECK(run(prog, C, R, 1, 1) == 0);       // /dev/mem
  CHECK(run(prog, B, R, 1, 3) == 0);       // a block device 1:3 is not /dev/null
  CHECK(run(prog, B, R | W, 8, 0) == 0);   // /dev/sda
  CHECK(run(prog, C, M, 10, 229) == 0);    // mknod /dev/fuse
}

TEST_CASE("device filter: later rules win, as in the v1 controller", "[bpf_devices]") {
  // Docker's rules with a deny of /dev/null after everything.
  std::vector<LinuxDeviceCgroup> rules = {
      rule(false, DeviceCgroupType::All, {}, {}, kDeviceAccessAll),
      rule(true, DeviceCgroupType::Char, 1, 3, kDeviceAccessAll),
      rule(true, DeviceCgroupType::Block, 7, {}, kDeviceRead),
      rule(false, DeviceCgroupType::Char, 1, 3, kDeviceWrite),
  };
  auto prog = filter(rules);
  CHECK(run(prog, C, R, 1, 3) == 1);
  CHECK(run(prog, C, W, 1, 3) == 0);
  CHECK(run(prog, C, R | W, 1, 3) == 0);  // one denied access denies the open
  CHECK(run(prog, B, R, 7, 4) == 1);      // any minor of loop devices, read only
  CHECK(run(prog, B, W, 7, 4) == 0);
  CHECK(run(prog, B, R | M, 7, 4) == 0);
  CHECK(run(prog, C, R, 7, 4) == 0);

  // allow-all last: everything is allowed, nothing else is checked.
  rules.push_back(rule(true, DeviceCgroupType::All, {}, {}, kDeviceAccessAll));
  prog = filter(rules);
  CHECK(prog.size() == 8);  // 6 loads + r0 = 1 + exit
  CHECK(run(prog, C, W, 1, 3) == 1);
  CHECK(run(prog, B, R | W | M, 8, 0) == 1);
  // ... and a deny after it is an exception to that.
  rules.push_back(rule(false, DeviceCgroupType::Char, 1, 3, kDeviceWrite));
  prog = filter(rules);
  CHECK(run(prog, C, R, 1, 3) == 1);
  CHECK(run(prog, C, R | W, 1, 3) == 0);  // runc and v1 allow this O_RDWR; denied here
  CHECK(run(prog, B, W, 1, 3) == 1);
}

TEST_CASE("device filter: type a, wildcards and accesses granted by separate rules", "[bpf_devices]") {
  std::vector<LinuxDeviceCgroup> deny_all = {rule(false, DeviceCgroupType::All, {}, {}, kDeviceAccessAll)};
  auto with = [&](std::vector<LinuxDeviceCgroup> more) {
    std::vector<LinuxDeviceCgroup> r = deny_all;
    r.insert(r.end(), more.begin(), more.end());
    return filter(r);
  };
  // "r" and "w" allowed by two rules: an O_RDWR open is allowed (the
  // reduction merges them, as the v1 kernel does); mknod is not.
  auto prog = with({rule(true, DeviceCgroupType::Char, 1, 3, kDeviceRead),
                    rule(true, DeviceCgroupType::Char, 1, 3, kDeviceWrite)});
  CHECK(run(prog, C, R | W, 1, 3) == 1);
  CHECK(run(prog, C, R | W | M, 1, 3) == 0);
  // Across different wildcards they stay separate, as in v1: "r" for all
  // of major 1 and "w" for 1:3 do not make an O_RDWR open of 1:3.
  prog = with({rule(true, DeviceCgroupType::Char, 1, {}, kDeviceRead),
               rule(true, DeviceCgroupType::Char, 1, 3, kDeviceWrite)});
  CHECK(run(prog, C, R, 1, 3) == 1);
  CHECK(run(prog, C, W, 1, 3) == 1);
  CHECK(run(prog, C, R | W, 1, 3) == 0);
  CHECK(run(prog, C, R, 1, 200) == 1);
  CHECK(run(prog, C, W, 1, 200) == 0);
  // Wildcard minor and major (absent in the config, -1 in runc).
  prog = with({rule(true, DeviceCgroupType::Block, {}, 0, kDeviceRead | kDeviceWrite)});
  CHECK(run(prog, B, R | W, 8, 0) == 1);
  CHECK(run(prog, B, R | W, 259, 0) == 1);
  CHECK(run(prog, B, R, 8, 1) == 0);
  CHECK(run(prog, C, R, 8, 0) == 0);
  // "a 1:3 r" is the c and the b rule (the spec's reading; v1 and runc would
  // take any "a" rule as allow everything).
  prog = with({rule(true, DeviceCgroupType::All, 1, 3, kDeviceRead)});
  CHECK(run(prog, C, R, 1, 3) == 1);
  CHECK(run(prog, B, R, 1, 3) == 1);
  CHECK(run(prog, B, R, 1, 4) == 0);
  CHECK(run(prog, B, W, 1, 3) == 0);
  CHECK(run(prog, C, R, 5, 5) == 0);
  // A wildcard deny takes its access out of the narrower allows.
  prog = with({rule(true, DeviceCgroupType::Char, 1, 3, kDeviceAccessAll),
               rule(true, DeviceCgroupType::Char, 1, 5, kDeviceRead | kDeviceWrite),
               rule(false, DeviceCgroupType::Char, {}, {}, kDeviceWrite)});
  CHECK(run(prog, C, R, 1, 3) == 1);
  CHECK(run(prog, C, M, 1, 3) == 1);
  CHECK(run(prog, C, W, 1, 3) == 0);
  CHECK(run(prog, C, W, 1, 5) == 0);
  CHECK(run(prog, C, R, 1, 5) == 1);
}

TEST_CASE("device filter: a deny inside a wider allow is refused, not silently ignored as v1 would", "[bpf_devices]") {
  std::vector<LinuxDeviceCgroup> rules = {
      rule(false, DeviceCgroupType::All, {}, {}, kDeviceAccessAll),
      rule(true, DeviceCgroupType::Char, {}, {}, kDeviceAccessAll),
      rule(false, DeviceCgroupType::Char, 1, 3, kDeviceWrite),
  };
  Result<DeviceRuleSet> set = reduce_device_rules(rules);
  REQUIRE_FALSE(set);
  CHECK(set.error().msg.find("linux.resources.devices: the rule `c 1:3 w` cannot deny `w` inside the wider allow "
                             "`c *:* rwm`") != std::string::npos);
  // Not overlapping in access: fine.
  rules[1].access = kDeviceMknod;
  CHECK(reduce_device_rules(rules));
  // An allow in a deny-list that a wider deny covers stays denied.
  rules = {rule(true, DeviceCgroupType::All, {}, {}, kDeviceAccessAll),
           rule(false, DeviceCgroupType::Block, {}, {}, kDeviceAccessAll),
           rule(true, DeviceCgroupType::Block, 7, 0, kDeviceRead)};
  auto prog = filter(rules);
  CHECK(run(prog, B, R, 7, 0) == 0);
  CHECK(run(prog, C, R | W, 1, 1) == 1);
}

TEST_CASE("device filter: the program decides as device_access_allowed() for every access", "[bpf_devices]") {
  std::vector<std::vector<LinuxDeviceCgroup>> configs = {
      effective_device_rules({}),
      effective_device_rules({rule(true, DeviceCgroupType::Block, 7, {}, kDeviceRead),
                              rule(true, DeviceCgroupType::Char, 10, 200, kDeviceRead | kDeviceMknod),
                              rule(false, DeviceCgroupType::Char, 1, 5, kDeviceMknod),
                              rule(true, DeviceCgroupType::All, {}, 9, kDeviceWrite)}),
      {rule(true, DeviceCgroupType::All, {}, {}, kDeviceAccessAll),
       rule(false, DeviceCgroupType::Char, 1, {}, kDeviceWrite | kDeviceMknod),
       rule(true, DeviceCgroupType::Char, 1, 3, kDeviceWrite)},
  };
  for (const auto& config : configs) {
    Result<DeviceRuleSet> set = reduce_device_rules(config);
    REQUIRE(set);
    auto prog = build_device_filter(*set);
    for (DeviceCgroupType t : {DeviceCgroupType::Char, DeviceCgroupType::Block})
      for (std::uint32_t major : {1u, 5u, 7u, 10u, 136u})
        for (std::uint32_t minor : {0u, 3u, 5u, 9u, 200u})
          for (std::uint8_t access = 1; access <= kDeviceAccessAll; access++) {
            int bits = ((access & kDeviceRead) ? R : 0) | ((access & kDeviceWrite) ? W : 0) |
                       ((access & kDeviceMknod) ? M : 0);
            INFO("type " << int(t) << " " << major << ":" << minor << " access " << int(access));
            CHECK(run(prog, t == DeviceCgroupType::Char ? C : B, bits, major, minor) ==
                  (device_access_allowed(*set, t, major, minor, access) ? 1 : 0));
          }
  }
}

TEST_CASE("device filter: numbers above 2^31 compare right; every jump lands inside", "[bpf_devices]") {
  auto prog = build_device_filter(DeviceRuleSet{});
  CHECK(run(prog, C, R, 1, 3) == 0);
  prog = filter({rule(true, DeviceCgroupType::Char, 4000000000u, 4294967295u, kDeviceAccessAll)});
  CHECK(run(prog, C, R, 4000000000u, 4294967295u) == 1);
  CHECK(run(prog, C, R, 4000000000u, 1) == 0);
  // Every jump lands inside the program.
  for (std::size_t i = 0; i < prog.size(); i++)
    if ((prog[i].code & 0x07) == BPF_JMP32) CHECK(i + 1 + static_cast<std::size_t>(prog[i].off) < prog.size());
}
