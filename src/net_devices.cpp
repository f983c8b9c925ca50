// linux.netDevices over rtnetlink. The runtime does it all, between clone3
// and the init's first step that could need the device: it reads the
// interface's permanent global addresses, moves the interface with one
// RTM_NEWLINK (IFLA_NET_NS_FD, and IFLA_IFNAME as the new name or a "%d"
// template the kernel fills in), then enters the container's network
// namespace to put the addresses back and set the link up, and leaves it.
// Nothing moves the interface back: when the namespace dies, the kernel
// returns physical devices to the host and destroys virtual ones, which is
// what the spec asks ("MUST NOT attempt to move the interface out").
#include "ocirun/net_devices.hpp"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "ocirun/json.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace {

// One netlink request: a header, the family header, then attributes.
class Request {
 public:
  Request(std::uint16_t type, std::uint16_t flags, const void* family_header, std::size_t size) {
    m_buf.resize(NLMSG_LENGTH(size));
    nlmsghdr* h = header();
    h->nlmsg_type = type;
    h->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    std::memcpy(NLMSG_DATA(h), family_header, size);
    h->nlmsg_len = static_cast<std::uint32_t>(m_buf.size());
  }

  void attr(std::uint16_t type, const void* data, std::size_t size) {
    std::size_t at = NLMSG_ALIGN(m_buf.size());
    m_buf.resize(at + RTA_LENGTH(size));
    rtattr* a = reinterpret_cast<rtattr*>(m_buf.data() + at);
    a->rta_type = type;
    a->rta_len = static_cast<std::uint16_t>(RTA_LENGTH(size));
    std::memcpy(RTA_DATA(a), data, size);
    header()->nlmsg_len = static_cast<std::uint32_t>(m_buf.size());
  }
  void attr_u32(std::uint16_t type, std::uint32_t v) { attr(type, &v, sizeof v); }
  void attr_string(std::uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }

  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(m_buf.data()); }
  std::size_t size() const { return m_buf.size(); }

 private:
  std::vector<char> m_buf;
};

// A NETLINK_ROUTE socket, in the network namespace of its creator.
class Netlink {
 public:
  static Result<Netlink> open() {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) return fail_errno("netlink socket");
    return Netlink(std::move(fd));
  }

  // Sends the request and calls each(reply) for every message of the
  // answer, until the ack (or the end of a dump).
  template <typename F>
  Result<> exchange(Request& req, F each) {
    nlmsghdr* h = req.header();
    h->nlmsg_seq = ++m_seq;
    h->nlmsg_flags |= NLM_F_ACK;
    if (::send(m_fd.get(), h, req.size(), 0) < 0) return fail_errno("netlink send");
    std::vector<char> buf(32768);
    for (;;) {
      ssize_t n = ::recv(m_fd.get(), buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail_errno("netlink recv");
      }
      int len = static_cast<int>(n);
      for (nlmsghdr* r = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(r, len); r = NLMSG_NEXT(r, len)) {
        if (r->nlmsg_seq != m_seq) continue;
        if (r->nlmsg_type == NLMSG_DONE) return {};
        if (r->nlmsg_type == NLMSG_ERROR) {
          const nlmsgerr* e = static_cast<const nlmsgerr*>(NLMSG_DATA(r));
          if (e->error == 0) return {};
          errno = -e->error;
          return fail_errno("netlink");
        }
        each(r);
      }
    }
  }

 private:
  explicit Netlink(UniqueFd fd) : m_fd(std::move(fd)) {}
  UniqueFd m_fd;
  std::uint32_t m_seq = 0;
};

// An address of the interface, as RTM_NEWADDR needs it again.
struct Address {
  ifaddrmsg header{};
  std::vector<std::pair<std::uint16_t, std::vector<char>>> attrs;  // IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST
};

// The permanent addresses of global scope (the ones the spec says to keep;
// link-local and temporary ones are the kernel's to remake).
Result<std::vector<Address>> permanent_addresses(Netlink& nl, int index) {
  ifaddrmsg req_header{};
  req_header.ifa_family = AF_UNSPEC;
  Request req(RTM_GETADDR, NLM_F_DUMP, &req_header, sizeof req_header);
  std::vector<Address> out;
  TRY(nl.exchange(req, [&](nlmsghdr* r) {
    if (r->nlmsg_type != RTM_NEWADDR) return;
    const ifaddrmsg* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(r));
    if (static_cast<int>(ifa->ifa_index) != index || ifa->ifa_scope != RT_SCOPE_UNIVERSE) return;
    std::uint32_t flags = ifa->ifa_flags;
    Address a;
    a.header = *ifa;
    int len = static_cast<int>(IFA_PAYLOAD(r));
    for (rtattr* at = IFA_RTA(ifa); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
      const char* data = static_cast<const char*>(RTA_DATA(at));
      std::size_t size = RTA_PAYLOAD(at);
      if (at->rta_type == IFA_FLAGS && size >= sizeof(std::uint32_t)) std::memcpy(&flags, data, sizeof flags);
      if (at->rta_type == IFA_ADDRESS || at->rta_type == IFA_LOCAL || at->rta_type == IFA_BROADCAST)
        a.attrs.emplace_back(at->rta_type, std::vector<char>(data, data + size));
    }
    if (flags & IFA_F_PERMANENT) out.push_back(std::move(a));
  }));
  return out;
}

Result<> move_link(Netlink& nl, int index, int netns_fd, const std::string& name) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  Request req(RTM_NEWLINK, 0, &ifi, sizeof ifi);
  req.attr_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
  req.attr_string(IFLA_IFNAME, name);
  return nl.exchange(req, [](nlmsghdr*) {});
}

Result<> add_address(Netlink& nl, int index, const Address& a) {
  ifaddrmsg ifa = a.header;
  ifa.ifa_index = static_cast<std::uint32_t>(index);
  Request req(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  for (const auto& [type, data] : a.attrs) req.attr(type, data.data(), data.size());
  req.attr_u32(IFA_FLAGS, IFA_F_PERMANENT);
  return nl.exchange(req, [](nlmsghdr*) {});
}

Result<> set_up(Netlink& nl, int index) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  Request req(RTM_NEWLINK, 0, &ifi, sizeof ifi);
  return nl.exchange(req, [](nlmsghdr*) {});
}

// The moved interface in the container's namespace: by its name, or, for a
// template, by its index, which a move keeps unless the namespace already
// uses it; then its name must match the template's prefix.
Result<int> moved_index(const NetDevice& d, int old_index) {
  std::size_t pct = d.name.find('%');
  if (pct == std::string::npos) {
    unsigned index = ::if_nametoindex(d.name.c_str());
    if (index == 0) return fail_errno("find `" + d.name + "` in the container");
    return static_cast<int>(index);
  }
  char name[IF_NAMESIZE] = {};
  if (::if_indextoname(static_cast<unsigned>(old_index), name) == nullptr ||
      std::string_view(name).substr(0, pct) != std::string_view(d.name).substr(0, pct))
    return fail("find the interface named after `" + d.name + "` in the container", ENODEV);
  return old_index;
}

std::string device_path(const NetDevice& d) { return "linux.netDevices[" + json::quoted(d.host_name) + "]"; }

// What one device carries across: its index and addresses on the host.
struct Moving {
  const NetDevice* device;
  int old_index;
  std::vector<Address> addresses;
};

// In the container's namespace: the addresses back, the link up.
Result<> finish_in_container(const std::vector<Moving>& moved) {
  Netlink nl = TRY(Netlink::open());
  for (const Moving& m : moved) {
    std::string where = device_path(*m.device);
    int index = TRY_CTX(moved_index(*m.device, m.old_index), where);
    for (const Address& a : m.addresses) TRY_CTX(add_address(nl, index, a), where + ": restore an address");
    TRY_CTX(set_up(nl, index), where + ": set up");
  }
  return {};
}

Result<> names_free(const std::vector<NetDevice>& devices) {
  for (const NetDevice& d : devices)
    if (d.name.find('%') == std::string::npos && ::if_nametoindex(d.name.c_str()) != 0)
      return fail(device_path(d) + ": `" + d.name + "` already exists in the container's network namespace", EEXIST);
  return {};
}

}  // namespace

Result<> check_net_devices(const std::vector<NetDevice>& devices) {
  for (const NetDevice& d : devices)
    if (::if_nametoindex(d.host_name.c_str()) == 0)
      return tl::unexpected(with_context(fail_errno("find `" + d.host_name + "` on the host").value(), device_path(d)));
  return {};
}

Result<> move_net_devices(const std::vector<NetDevice>& devices, const std::string& netns_path) {
  if (devices.empty()) return {};
  UniqueFd target(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target) return tl::unexpected(with_context(fail_errno("open `" + netns_path + "`").value(), "linux.netDevices"));
  UniqueFd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!own) return fail_errno("linux.netDevices: open the runtime's network namespace");

  // A name the container's namespace already has is an error (config-linux.md),
  // found before anything moves: the kernel would move the interface and
  // then fail to rename it, and a virtual one would die with the namespace.
  if (::setns(target.get(), CLONE_NEWNET) < 0) return fail_errno("linux.netDevices: enter the container's network namespace");
  Result<> free = names_free(devices);
  if (::setns(own.get(), CLONE_NEWNET) < 0) return fail_errno("linux.netDevices: return to the runtime's network namespace");
  TRY(free);

  std::vector<Moving> moved;
  {
    Netlink nl = TRY(Netlink::open());
    for (const NetDevice& d : devices) {
      std::string where = device_path(d);
      unsigned index = ::if_nametoindex(d.host_name.c_str());
      if (index == 0)
        return tl::unexpected(with_context(fail_errno("find `" + d.host_name + "` on the host").value(), where));
      Moving m{&d, static_cast<int>(index), {}};
      // Read before the move: moving flushes them.
      m.addresses = TRY_CTX(permanent_addresses(nl, m.old_index), where + ": read its addresses");
      TRY_CTX(move_link(nl, m.old_index, target.get(), d.name), where + ": move to the container's network namespace");
      moved.push_back(std::move(m));
    }
  }
  if (::setns(target.get(), CLONE_NEWNET) < 0) return fail_errno("linux.netDevices: enter the container's network namespace");
  Result<> done = finish_in_container(moved);
  // Back in any case: the rest of create (hooks among it) runs in the
  // runtime's namespace.
  if (::setns(own.get(), CLONE_NEWNET) < 0) return fail_errno("linux.netDevices: return to the runtime's network namespace");
  return done;
}

}  // namespace ocirun
