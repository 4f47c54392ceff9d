#include "http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace bitnet::testing {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void reset_close(int fd) {  // RST instead of FIN: the client sees "connection reset"
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

HttpTestServer::HttpTestServer() {
  start();
}

HttpTestServer::~HttpTestServer() {
  std::thread restarter;
  {
    std::lock_guard l(mu_);
    restarter.swap(restarter_);
  }
  if (restarter.joinable()) restarter.join();  // let a pending restart finish first
  stop();
}

std::string HttpTestServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void HttpTestServer::start() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("bind/listen on 127.0.0.1 failed: ") +
                             std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  stopping_ = false;
  listen_fd_ = fd;
  acceptor_ = std::thread([this, fd] { accept_loop(fd); });
}

void HttpTestServer::stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::vector<std::thread> workers;
  {
    std::lock_guard l(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void HttpTestServer::add(const std::string& path, Resource r) {
  std::lock_guard l(mu_);
  resources_[path] = std::move(r);
}

void HttpTestServer::push_fault(const std::string& path, Fault f) {
  std::lock_guard l(mu_);
  faults_[path].push_back(f);
}

std::vector<RequestLog> HttpTestServer::log() const {
  std::lock_guard l(mu_);
  return log_;
}

int HttpTestServer::request_count(const std::string& path) const {
  std::lock_guard l(mu_);
  return static_cast<int>(
      std::count_if(log_.begin(), log_.end(), [&](const RequestLog& r) { return r.path == path; }));
}

uint64_t HttpTestServer::body_bytes(const std::string& path) const {
  std::lock_guard l(mu_);
  uint64_t n = 0;
  for (const auto& r : log_)
    if (r.path == path) n += r.body_bytes;
  return n;
}

void HttpTestServer::accept_loop(int listen_fd) {
  for (;;) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    std::lock_guard l(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void HttpTestServer::serve(int fd) {
  auto forget = [&](bool reset) {
    {
      std::lock_guard l(mu_);
      open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    }
    if (reset)
      reset_close(fd);
    else
      ::close(fd);
  };
  // Read the request head.
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return forget(false);
    req.append(buf, static_cast<size_t>(n));
  }
  RequestLog entry;
  {
    const auto sp1 = req.find(' ');
    const auto sp2 = req.find(' ', sp1 + 1);
    entry.path = req.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = req.find("\r\n") + 2;
    while (pos < req.size()) {
      const auto end = req.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;
      const std::string line = req.substr(pos, end - pos);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        const std::string key = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (key == "range") entry.range = value;
        if (key == "authorization") entry.authorization = value;
      }
      pos = end + 2;
    }
  }
  Resource res;
  std::optional<Fault> fault;
  bool found = false;
  {
    std::lock_guard l(mu_);
    auto it = resources_.find(entry.path);
    if (it != resources_.end()) res = it->second, found = true;
    auto& fq = faults_[entry.path];
    if (!fq.empty()) {
      fault = fq.front();
      fq.erase(fq.begin());
    }
  }
  std::string head;
  std::string body;
  uint64_t first = 0;
  int status = 200;
  std::string extra;
  if (res.linked_etag.size()) extra += "X-Linked-Etag: \"" + res.linked_etag + "\"\r\n";
  if (res.linked_size) extra += "X-Linked-Size: " + std::to_string(*res.linked_size) + "\r\n";
  if (fault && fault->kind == Fault::Kind::kStatus) {
    status = fault->status;
    body = "injected " + std::to_string(status) + "\n";
    if (!fault->retry_after.empty()) extra += "Retry-After: " + fault->retry_after + "\r\n";
    if (!fault->location.empty()) extra += "Location: " + fault->location + "\r\n";
  } else if (!found) {
    status = 404;
    body = "no such resource\n";
  } else if (!res.require_token.empty() && entry.authorization != "Bearer " + res.require_token) {
    status = 401;
    body = "token required\n";
  } else if (!res.redirect_to.empty()) {
    status = 302;
    extra += "Location: " + res.redirect_to + "\r\n";
  } else if (res.status != 200) {
    status = res.status;
    body = "status " + std::to_string(status) + "\n";
  } else {
    body = res.body;
    if (!res.etag.empty()) extra += "ETag: \"" + res.etag + "\"\r\n";
    extra += "Accept-Ranges: bytes\r\n";
    if (res.ranges && entry.range.rfind("bytes=", 0) == 0) {
      const std::string spec = entry.range.substr(6);
      const auto dash = spec.find('-');
      first = std::stoull(spec.substr(0, dash));
      uint64_t last = body.size() ? body.size() - 1 : 0;
      if (dash + 1 < spec.size())
        last = std::min<uint64_t>(last, std::stoull(spec.substr(dash + 1)));
      if (first >= res.body.size()) {
        status = 416;
        extra += "Content-Range: bytes */" + std::to_string(res.body.size()) + "\r\n";
        body.clear();
        first = 0;
      } else {
        status = 206;
        extra += "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) +
                 "/" + std::to_string(res.body.size()) + "\r\n";
        body = res.body.substr(first, last - first + 1);
      }
    }
  }
  entry.status = status;
  size_t index;
  {
    std::lock_guard l(mu_);  // logged before the body goes out, so clients never outrun the log
    index = log_.size();
    log_.push_back(entry);
  }
  const bool own_body = status == 200 || status == 206;
  std::string length_header =
      "Content-Length: " +
      std::to_string(own_body && res.claimed_length ? *res.claimed_length : body.size()) + "\r\n";
  if (own_body && res.no_length) length_header.clear();
  head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n" + length_header +
         "Connection: close\r\n" + extra + "\r\n";
  bool ok = send_all(fd, head.data(), head.size());
  if (own_body && res.repeat_to > body.size() && !body.empty()) {
    std::string all;
    while (all.size() < res.repeat_to) all += body;
    body = all.substr(0, res.repeat_to);
  }
  uint64_t limit = body.size();
  const bool body_fault =
      fault && fault->kind != Fault::Kind::kStatus && (status == 200 || status == 206);
  if (body_fault) limit = std::min<uint64_t>(limit, fault->after);
  uint64_t sent = 0;
  while (ok && sent < limit && !stopping_) {
    if (res.chunk_delay_ms > 0 && sent > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(res.chunk_delay_ms));
    const size_t n = static_cast<size_t>(std::min<uint64_t>(16384, limit - sent));
    ok = send_all(fd, body.data() + sent, n);
    if (ok) {
      sent += n;
      std::lock_guard l(mu_);
      log_[index].body_bytes = sent;
    }
  }
  if (body_fault && fault->kind == Fault::Kind::kStall) {
    for (int waited = 0; waited < fault->stall_ms && !stopping_; waited += 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return forget(false);
  }
  if (body_fault && fault->kind == Fault::Kind::kDrop) {
    ::shutdown(fd, SHUT_WR);  // FIN after exactly `after` bytes: every sent byte arrives
    return forget(false);
  }
  if (body_fault &&
      (fault->kind == Fault::Kind::kReset || fault->kind == Fault::Kind::kDropAndRestart)) {
    forget(true);
    if (fault->kind == Fault::Kind::kDropAndRestart) {
      std::lock_guard l(mu_);
      // Restart from a thread of its own: stop() joins the workers, this one included.
      if (restarter_.joinable()) restarter_.detach();
      const int ms = fault->restart_ms;
      restarter_ = std::thread([this, ms] {
        stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        start();
      });
    }
    return;
  }
  ::shutdown(fd, SHUT_WR);
  forget(false);
}

}  // namespace bitnet::testing
