#include "ocirun/bpf_devices.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace ocirun {

namespace {

// The opcodes used, spelled out (the kernel's BPF_* macros are C macros
// over ints that trip -Wconversion-style warnings when combined).
constexpr std::uint8_t kLdxW = BPF_LDX | BPF_MEM | BPF_W;          // dst = *(u32 *)(src + off)
constexpr std::uint8_t kAnd32 = BPF_ALU | BPF_AND | BPF_K;         // dst &= imm
constexpr std::uint8_t kRsh32 = BPF_ALU | BPF_RSH | BPF_K;         // dst >>= imm
constexpr std::uint8_t kMov32Reg = BPF_ALU | BPF_MOV | BPF_X;      // dst = src
constexpr std::uint8_t kMov64 = BPF_ALU64 | BPF_MOV | BPF_K;       // dst = imm
constexpr std::uint8_t kJne32 = BPF_JMP32 | BPF_JNE | BPF_K;       // if dst != imm goto +off
constexpr std::uint8_t kJeq32 = BPF_JMP32 | BPF_JEQ | BPF_K;       // if dst == imm goto +off
constexpr std::uint8_t kExit = BPF_JMP | BPF_EXIT;

// Registers: r1 the context, then what the prologue loads from it.
constexpr std::uint8_t kCtx = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5, kTmp = 1;

bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// The model's access bits (r=1, w=2, m=4) in the kernel's BPF_DEVCG_ACC_*.
std::int32_t bpf_access(std::uint8_t access) {
  std::int32_t out = 0;
  if (access & kDeviceRead) out |= BPF_DEVCG_ACC_READ;
  if (access & kDeviceWrite) out |= BPF_DEVCG_ACC_WRITE;
  if (access & kDeviceMknod) out |= BPF_DEVCG_ACC_MKNOD;
  return out;
}

long bpf(int cmd, bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof *attr); }

}  // namespace

std::vector<bpf_insn> build_device_filter(const DeviceRuleSet& rules) {
  std::vector<bpf_insn> p;
  // The context: access_type = (access << 16) | type; major; minor.
  p.push_back(insn(kLdxW, kType, kCtx, 0, 0));
  p.push_back(insn(kAnd32, kType, 0, 0, 0xffff));
  p.push_back(insn(kLdxW, kAccess, kCtx, 0, 0));
  p.push_back(insn(kRsh32, kAccess, 0, 0, 16));
  p.push_back(insn(kLdxW, kMajor, kCtx, 4, 0));
  p.push_back(insn(kLdxW, kMinor, kCtx, 8, 0));

  // One block per exception: each test jumps past the block when the
  // exception does not match; the block's end returns its verdict.
  for (const LinuxDeviceCgroup& r : rules.exceptions) {
    std::vector<bpf_insn> block;
    if (r.type != DeviceCgroupType::All)
      block.push_back(insn(kJne32, kType, 0, 0,
                           r.type == DeviceCgroupType::Char ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
    if (r.access != kDeviceAccessAll) {
      std::int32_t acc = bpf_access(r.access);
      block.push_back(insn(kMov32Reg, kTmp, kAccess, 0, 0));
      if (r.allow) {
        // Allowed only if nothing outside the exception's access is asked.
        block.push_back(insn(kAnd32, kTmp, 0, 0, ~acc & 0xffff));
        block.push_back(insn(kJne32, kTmp, 0, 0, 0));
      } else {
        // Denied as soon as one asked access is in the exception's.
        block.push_back(insn(kAnd32, kTmp, 0, 0, acc));
        block.push_back(insn(kJeq32, kTmp, 0, 0, 0));
      }
    }
    if (r.major) block.push_back(insn(kJne32, kMajor, 0, 0, static_cast<std::int32_t>(*r.major)));
    if (r.minor) block.push_back(insn(kJne32, kMinor, 0, 0, static_cast<std::int32_t>(*r.minor)));
    block.push_back(insn(kMov64, 0, 0, 0, r.allow ? 1 : 0));
    block.push_back(insn(kExit, 0, 0, 0, 0));
    // Each conditional jump goes to the first instruction after the block.
    for (std::size_t i = 0; i < block.size(); i++)
      if (block[i].code == kJne32 || block[i].code == kJeq32)
        block[i].off = static_cast<std::int16_t>(block.size() - i - 1);
    p.insert(p.end(), block.begin(), block.end());
  }
  p.push_back(insn(kMov64, 0, 0, 0, rules.default_allow ? 1 : 0));
  p.push_back(insn(kExit, 0, 0, 0, 0));
  return p;
}

Result<UniqueFd> load_device_filter(const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "Apache-2.0";
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<std::uint64_t>(program.data());
  attr.insn_cnt = static_cast<std::uint32_t>(program.size());
  attr.license = reinterpret_cast<std::uint64_t>(kLicense);
  int fd = static_cast<int>(bpf(BPF_PROG_LOAD, &attr));
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  // Again with the verifier's log, for the error message.
  std::string log(16384, '\0');
  attr.log_buf = reinterpret_cast<std::uint64_t>(log.data());
  attr.log_size = static_cast<std::uint32_t>(log.size());
  attr.log_level = 1;
  fd = static_cast<int>(bpf(BPF_PROG_LOAD, &attr));
  if (fd >= 0) return UniqueFd(fd);
  log.resize(std::strlen(log.c_str()));
  while (!log.empty() && log.back() == '\n') log.pop_back();
  return fail_errno("bpf load device filter" + (log.empty() ? std::string() : " (" + log + ")"), err);
}

Result<> attach_device_filter(int cgroup_fd, int prog_fd) {
  // The programs attached to this cgroup itself (not its parents').
  std::uint32_t ids[64] = {};
  bpf_attr q;
  std::memset(&q, 0, sizeof q);
  q.query.target_fd = static_cast<std::uint32_t>(cgroup_fd);
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<std::uint64_t>(ids);
  q.query.prog_cnt = 64;
  if (bpf(BPF_PROG_QUERY, &q) < 0) return fail_errno("bpf query the cgroup's device filters");
  std::vector<UniqueFd> old;
  for (std::uint32_t i = 0; i < q.query.prog_cnt && i < 64; i++) {
    bpf_attr g;
    std::memset(&g, 0, sizeof g);
    g.prog_id = ids[i];
    int fd = static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, &g));
    if (fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      return fail_errno("bpf get the old device filter");
    }
    old.emplace_back(fd);
  }

  bpf_attr a;
  std::memset(&a, 0, sizeof a);
  a.target_fd = static_cast<std::uint32_t>(cgroup_fd);
  a.attach_bpf_fd = static_cast<std::uint32_t>(prog_fd);
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  // One earlier program (ours, from create): swapped for the new one in a
  // single step, so no access slips through between detach and attach.
  if (old.size() == 1) {
    a.attach_flags |= BPF_F_REPLACE;
    a.replace_bpf_fd = static_cast<std::uint32_t>(old[0].get());
  }
  if (bpf(BPF_PROG_ATTACH, &a) < 0) return fail_errno("bpf attach the device filter");
  if (old.size() > 1) {
    // Several: the new one is attached first, so the cgroup is never
    // without a filter; then the others go.
    for (const UniqueFd& fd : old) {
      bpf_attr d;
      std::memset(&d, 0, sizeof d);
      d.target_fd = static_cast<std::uint32_t>(cgroup_fd);
      d.attach_bpf_fd = static_cast<std::uint32_t>(fd.get());
      d.attach_type = BPF_CGROUP_DEVICE;
      if (bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT) return fail_errno("bpf detach an old device filter");
    }
  }
  return {};
}

}  // namespace ocirun
