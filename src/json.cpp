#include "ocirun/json.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

// RapidJSON's assertions would abort (or, under NDEBUG, be skipped into
// undefined behaviour); every getter below is guarded by a type check
// instead, so the macro is a no-op.
#define RAPIDJSON_ASSERT(x) ((void)0)
#define RAPIDJSON_HAS_STDSTRING 1
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "ocirun/unique_fd.hpp"

namespace ocirun::json {

namespace {

using RValue = rapidjson::Value;

const RValue& rv(const void* p) { return *static_cast<const RValue*>(p); }

// A config larger than this is not a config; refuse it before reading it all.
constexpr std::size_t kMaxFileSize = 256u << 20;

}  // namespace

const char* type_name(Type t) {
  switch (t) {
    case Type::Null: return "null";
    case Type::Bool: return "boolean";
    case Type::Number: return "number";
    case Type::String: return "string";
    case Type::Array: return "array";
    case Type::Object: return "object";
  }
  return "?";
}

Type Node::type() const {
  switch (rv(m_value).GetType()) {
    case rapidjson::kNullType: return Type::Null;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return Type::Bool;
    case rapidjson::kObjectType: return Type::Object;
    case rapidjson::kArrayType: return Type::Array;
    case rapidjson::kStringType: return Type::String;
    case rapidjson::kNumberType: return Type::Number;
  }
  return Type::Null;
}

std::string Node::path() const {
  std::string out;
  for (int i = 0; i < m_depth; i++) {
    const Segment& s = m_segments[i];
    if (s.key != nullptr) {
      if (!out.empty()) out += '.';
      out.append(s.key, s.key_len);
    } else {
      out += '[';
      out += std::to_string(s.index);
      out += ']';
    }
  }
  if (m_truncated) out += "...";
  return out;
}

Error Node::error(std::string_view reason) const {
  std::string p = path();
  if (p.empty()) return Error{EINVAL, std::string(reason)};
  p += ": ";
  p += reason;
  return Error{EINVAL, std::move(p)};
}

Result<> Node::expect(Type t) const {
  Type have = type();
  if (have == t) return {};
  return fail(std::string("expected ") + type_name(t) + ", got " + type_name(have));
}

Node Node::child(const void* value, Segment seg) const {
  Node n;
  n.m_value = value;
  n.m_depth = m_depth;
  n.m_truncated = m_truncated;
  std::memcpy(n.m_segments, m_segments, sizeof(Segment) * m_depth);
  if (m_depth < kMaxDepth) {
    n.m_segments[n.m_depth++] = seg;
  } else {
    n.m_truncated = true;
  }
  return n;
}

std::optional<Node> Node::find(std::string_view key) const {
  const RValue& v = rv(m_value);
  if (!v.IsObject()) return std::nullopt;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    // Member names are always strings in a parsed document.
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name == key)
      return child(&it->value, Segment{it->name.GetString(), it->name.GetStringLength(), 0});
  }
  return std::nullopt;
}

Result<std::optional<Node>> Node::get(std::string_view key, Type t) const {
  std::optional<Node> n = find(key);
  if (!n || n->is_null()) return std::optional<Node>();
  TRY(n->expect(t));
  return n;
}

Result<Node> Node::require(std::string_view key, Type t) const {
  std::optional<Node> n = find(key);
  if (!n || n->is_null()) return tl::unexpected<Error>(member_error(key, "required field is missing"));
  TRY(n->expect(t));
  return *n;
}

Error Node::member_error(std::string_view key, std::string_view reason) const {
  std::string p = path();
  if (!p.empty()) p += '.';
  p += key;
  p += ": ";
  p += reason;
  return Error{EINVAL, std::move(p)};
}

std::size_t Node::member_count() const {
  const RValue& v = rv(m_value);
  return v.IsObject() ? v.MemberCount() : 0;
}

std::string_view Node::member_name(std::size_t i) const {
  const RValue& v = rv(m_value);
  if (!v.IsObject() || i >= v.MemberCount()) return {};
  auto it = v.MemberBegin() + static_cast<std::ptrdiff_t>(i);
  return {it->name.GetString(), it->name.GetStringLength()};
}

Node Node::member_value(std::size_t i) const {
  const RValue& v = rv(m_value);
  auto it = v.MemberBegin() + static_cast<std::ptrdiff_t>(i);
  return child(&it->value, Segment{it->name.GetString(), it->name.GetStringLength(), 0});
}

std::size_t Node::size() const {
  const RValue& v = rv(m_value);
  return v.IsArray() ? v.Size() : 0;
}

Node Node::at(std::size_t i) const {
  const RValue& v = rv(m_value);
  return child(&v[static_cast<rapidjson::SizeType>(i)],
               Segment{nullptr, 0, static_cast<std::uint32_t>(i)});
}

Result<std::string_view> Node::raw_string() const {
  const RValue& v = rv(m_value);
  if (!v.IsString()) return fail(std::string("expected string, got ") + type_name(type()));
  return std::string_view(v.GetString(), v.GetStringLength());
}

Result<std::string_view> Node::string() const {
  std::string_view s = TRY(raw_string());
  if (s.find('\0') != std::string_view::npos) return fail("string contains a NUL byte");
  return s;
}

Result<bool> Node::boolean() const {
  const RValue& v = rv(m_value);
  if (!v.IsBool()) return fail(std::string("expected boolean, got ") + type_name(type()));
  return v.GetBool();
}

Result<std::int64_t> Node::int64() const {
  const RValue& v = rv(m_value);
  if (!v.IsNumber()) return fail(std::string("expected integer, got ") + type_name(type()));
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsUint64()) return fail("integer out of range");
  // A double: accept it only if it is integral and in range (1e3 is 1000).
  double d = v.GetDouble();
  if (std::trunc(d) != d) return fail("expected integer, got a fraction");
  if (d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) return fail("integer out of range");
  return static_cast<std::int64_t>(d);
}

Result<std::uint64_t> Node::uint64() const {
  const RValue& v = rv(m_value);
  if (!v.IsNumber()) return fail(std::string("expected integer, got ") + type_name(type()));
  if (v.IsUint64()) return v.GetUint64();
  if (v.IsInt64()) return fail("expected a non-negative integer");
  double d = v.GetDouble();
  if (std::trunc(d) != d) return fail("expected integer, got a fraction");
  if (d < 0) return fail("expected a non-negative integer");
  if (d >= 1.8446744073709552e19) return fail("integer out of range");
  return static_cast<std::uint64_t>(d);
}

Result<std::int32_t> Node::int32() const {
  std::int64_t n = TRY(int64());
  if (n < std::numeric_limits<std::int32_t>::min() || n > std::numeric_limits<std::int32_t>::max())
    return fail("integer out of range for 32 bits");
  return static_cast<std::int32_t>(n);
}

Result<std::uint32_t> Node::uint32() const {
  std::uint64_t n = TRY(uint64());
  if (n > std::numeric_limits<std::uint32_t>::max()) return fail("integer out of range for 32 bits");
  return static_cast<std::uint32_t>(n);
}

Result<double> Node::number() const {
  const RValue& v = rv(m_value);
  if (!v.IsNumber()) return fail(std::string("expected number, got ") + type_name(type()));
  return v.GetDouble();
}

struct Document::Impl {
  rapidjson::Document doc;
};

Document::Document() : m_impl(std::make_unique<Impl>()) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Node Document::root() const {
  Node n;
  n.m_value = static_cast<const RValue*>(&m_impl->doc);
  return n;
}

Result<Document> Document::parse(std::string_view text) {
  Document d;
  // Iterative: a 200-level (or 2-million-level) nesting uses heap, not stack.
  // ValidateEncoding: invalid UTF-8 is an error here, not a surprise later.
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  d.m_impl->doc.Parse<kFlags>(text.data(), text.size());
  if (d.m_impl->doc.HasParseError()) {
    std::size_t off = d.m_impl->doc.GetErrorOffset();
    if (off > text.size()) off = text.size();
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < off; i++) {
      if (text[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    std::string msg = "invalid JSON at line " + std::to_string(line) + " column " +
                      std::to_string(col) + ": ";
    std::string reason = rapidjson::GetParseError_En(d.m_impl->doc.GetParseError());
    // RapidJSON's messages are capitalized sentences with a final period.
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    if (!reason.empty() && reason.back() == '.') reason.pop_back();
    msg += reason;
    return fail(std::move(msg));
  }
  return d;
}

Result<Document> parse_file(const std::string& path, std::string_view display_name, std::string* text_out) {
  auto prefix = [&](Error e) { return tl::unexpected<Error>(with_context(std::move(e), display_name)); };
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return prefix(fail_errno("open").value());
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return prefix(fail_errno("stat").value());
  if (!S_ISREG(st.st_mode)) return prefix(Error{EINVAL, "not a regular file"});
  if (static_cast<std::size_t>(st.st_size) > kMaxFileSize)
    return prefix(Error{EFBIG, "file too large (over 256 MiB)"});
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) text.resize(text.size() + 4096);  // the file grew
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return prefix(fail_errno("read").value());
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got > kMaxFileSize) return prefix(Error{EFBIG, "file too large (over 256 MiB)"});
  }
  text.resize(got);
  auto doc = Document::parse(text);
  if (!doc) return prefix(std::move(doc.error()));
  if (text_out != nullptr) *text_out = std::move(text);
  return doc;
}

// ---- schema objects ----

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool key_matches(std::string_view name, std::string_view key) {
  if (name == key) return true;
  // Each key character matches one byte, or three (KELVIN SIGN) at most.
  if (name.size() < key.size() || name.size() > 3 * key.size()) return false;
  std::size_t i = 0;
  for (char kc : key) {
    char lower = ascii_lower(kc);
    if (i < name.size() && ascii_lower(name[i]) == lower) {
      i++;
    } else if (lower == 'k' && name.substr(i, 3) == "\xe2\x84\xaa") {
      i += 3;
    } else if (lower == 's' && name.substr(i, 2) == "\xc5\xbf") {
      i += 2;
    } else {
      return false;
    }
  }
  return i == name.size();
}

std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 64;
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() > kMax) {
      out += "\"... (" + std::to_string(s.size()) + " bytes)";
      return out;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      i++;
      continue;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      i++;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
      }
      i++;
      continue;
    }
    // A multi-byte UTF-8 sequence: copy it if its lead and continuation
    // bytes are in order (the parser has validated the text; this is only a
    // second line) and it is not a C1 control, else show the lead byte in
    // hex and go on from the next.
    std::size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool ok = len != 0 && c <= 0xf4 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; k++) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    }
    if (ok && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      out += "\\u00";
      out += kHex[static_cast<unsigned char>(s[i + 1]) >> 4];
      out += kHex[static_cast<unsigned char>(s[i + 1]) & 0xf];
      i += 2;
      continue;
    }
    if (!ok) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      i++;
      continue;
    }
    out.append(s.data() + i, len);
    i += len;
  }
  out += '"';
  return out;
}

Result<Fields> Fields::read_keys(const Node& obj, std::span<const std::string_view> keys) {
  TRY(obj.expect(Type::Object));
  Fields f(obj, keys);
  std::size_t count = obj.member_count();
  for (std::size_t i = 0; i < count; i++) {
    std::string_view name = obj.member_name(i);
    for (std::size_t k = 0; k < keys.size(); k++) {
      if (!key_matches(name, keys[k])) continue;
      if (f.m_slots[k] != kAbsent) {
        std::string_view first = obj.member_name(f.m_slots[k]);
        if (first == name) return tl::unexpected(obj.member_error(name, "duplicate key"));
        // Two spellings: the path names the key as the schema does.
        return tl::unexpected(obj.member_error(
            keys[k], "duplicate key (given as " + quoted(first) + " and " + quoted(name) + ")"));
      }
      f.m_slots[k] = static_cast<std::uint32_t>(i);
      break;
    }
  }
  return f;
}

std::uint32_t Fields::slot_of(std::string_view key) const {
  // A key that is not in the table is a bug of the caller; it finds the
  // last slot, which stays absent, rather than crashing.
  std::size_t k = 0;
  while (k < m_keys.size() && m_keys[k] != key) k++;
  return m_slots[k < m_keys.size() ? k : kMaxKeys];
}

Error Fields::member_error(std::string_view key, std::string_view reason) const {
  std::uint32_t slot = slot_of(key);
  return m_obj.member_error(slot == kAbsent ? key : m_obj.member_name(slot), reason);
}

std::optional<Node> Fields::find(std::string_view key) const {
  std::uint32_t slot = slot_of(key);
  if (slot == kAbsent) return std::nullopt;
  Node n = m_obj.member_value(slot);
  if (n.is_null()) return std::nullopt;
  return n;
}

Result<std::optional<Node>> Fields::get(std::string_view key, Type t) const {
  std::optional<Node> n = find(key);
  if (n) TRY(n->expect(t));
  return n;
}

Result<Node> Fields::require(std::string_view key, Type t) const {
  std::optional<Node> n = TRY(get(key, t));
  if (!n) return tl::unexpected(member_error(key, "required field is missing"));
  return *n;
}

Result<Node> Fields::require_number(std::string_view key) const {
  std::optional<Node> n = find(key);
  if (!n) return tl::unexpected(member_error(key, "required field is missing"));
  return *n;
}

Result<std::optional<std::string_view>> Fields::string(std::string_view key) const {
  std::optional<Node> n = TRY(get(key, Type::String));
  if (!n) return std::optional<std::string_view>();
  return std::optional<std::string_view>(TRY(n->string()));
}

Result<std::string_view> Fields::require_string(std::string_view key) const {
  Node n = TRY(require(key, Type::String));
  return n.string();
}

Result<std::string> Fields::string_or_empty(std::string_view key) const {
  std::optional<std::string_view> s = TRY(string(key));
  return s ? std::string(*s) : std::string();
}

Result<bool> Fields::boolean(std::string_view key, bool fallback) const {
  std::optional<Node> n = TRY(get(key, Type::Bool));
  if (!n) return fallback;
  return n->boolean();
}

// ---- Writer ----

void append_quoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void Writer::newline() {
  if (m_indent <= 0) return;
  m_out += '\n';
  m_out.append(static_cast<std::size_t>(m_level * m_indent), ' ');
}

void Writer::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_level > 0) {
    if (!m_first) m_out += ',';
    newline();
  }
  m_first = false;
}

Writer& Writer::begin_object() {
  before_value();
  m_out += '{';
  m_level++;
  m_first = true;
  return *this;
}

Writer& Writer::end_object() {
  m_level--;
  if (!m_first) newline();
  m_out += '}';
  m_first = false;
  return *this;
}

Writer& Writer::begin_array() {
  before_value();
  m_out += '[';
  m_level++;
  m_first = true;
  return *this;
}

Writer& Writer::end_array() {
  m_level--;
  if (!m_first) newline();
  m_out += ']';
  m_first = false;
  return *this;
}

Writer& Writer::key(std::string_view k) {
  before_value();
  append_quoted(m_out, k);
  m_out += m_indent > 0 ? ": " : ":";
  m_after_key = true;
  return *this;
}

Writer& Writer::value(std::string_view s) {
  before_value();
  append_quoted(m_out, s);
  return *this;
}

Writer& Writer::value(bool b) {
  before_value();
  m_out += b ? "true" : "false";
  return *this;
}

Writer& Writer::value(std::int64_t n) {
  before_value();
  m_out += std::to_string(n);
  return *this;
}

Writer& Writer::value(std::uint64_t n) {
  before_value();
  m_out += std::to_string(n);
  return *this;
}

Writer& Writer::value(double d) {
  before_value();
  if (!std::isfinite(d)) {
    m_out += "null";  // JSON has no NaN or infinity
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  m_out += buf;
  return *this;
}

Writer& Writer::null() {
  before_value();
  m_out += "null";
  return *this;
}

Writer& Writer::raw(std::string_view json_text) {
  before_value();
  m_out += json_text;
  return *this;
}

}  // namespace ocirun::json
