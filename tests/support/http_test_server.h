// A small threaded HTTP/1.1 server on 127.0.0.1 for the downloader tests: static resources with
// Range, ETag / X-Linked-Etag, redirects, bearer-token checks, and fault injection (drop the
// connection after N bytes, error statuses, stalls, a restart of the whole server).
// Every response carries "Connection: close".
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace bitnet::testing {

struct Resource {
  std::string body;
  std::string etag;                     // sent as ETag: "<etag>" when non-empty
  std::string linked_etag;              // X-Linked-Etag (the hub sends the LFS SHA-256 here)
  std::optional<uint64_t> linked_size;  // X-Linked-Size
  std::string redirect_to;              // non-empty: 302 to this path (or absolute URL)
  int status = 200;           // a permanent status instead of the body (401, 404, 500, ...)
  std::string require_token;  // non-empty: 401 unless "Authorization: Bearer <token>"
  bool ranges = true;         // false: ignore Range and always send 200 + the whole body
  int chunk_delay_ms = 0;     // sleep between 16 KiB chunks (slow server)
  // A lying or endless server: Content-Length sent instead of the body's (the whole body is sent
  // regardless); no Content-Length at all (the body ends when the connection closes); the body
  // repeated until this many bytes have gone out (0: once).
  std::optional<uint64_t> claimed_length;
  bool no_length = false;
  uint64_t repeat_to = 0;
};

// Consumed by the next request for the path (FIFO).
struct Fault {
  enum class Kind {
    kDrop,            // send `after` body bytes, then close the connection (premature EOF)
    kReset,           // send `after` body bytes, then reset the connection (RST)
    kStatus,          // answer `status` with a short body
    kStall,           // send `after` body bytes, then stall for `stall_ms`, then close
    kDropAndRestart,  // like kReset, then stop the server and restart it `restart_ms` later
  };
  Kind kind = Kind::kDrop;
  uint64_t after = 0;
  int status = 500;
  int stall_ms = 0;
  int restart_ms = 0;
  std::string retry_after = {};  // kStatus: sent as "Retry-After: <value>" when non-empty
  std::string location = {};     // kStatus: sent as "Location: <value>" when non-empty (redirects)
};

struct RequestLog {
  std::string path;
  std::string range;          // the Range header, "" if none
  std::string authorization;  // the Authorization header, "" if none
  int status = 0;
  uint64_t body_bytes = 0;  // body bytes actually sent
};

class HttpTestServer {
 public:
  HttpTestServer();  // binds 127.0.0.1 on a free port and starts serving
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  void stop();   // closes the listener and every open connection
  void start();  // listens again on the same port

  uint16_t port() const { return port_; }
  std::string base_url() const;
  std::string url(const std::string& path) const { return base_url() + path; }

  void add(const std::string& path, Resource r);
  void push_fault(const std::string& path, Fault f);

  std::vector<RequestLog> log() const;
  int request_count(const std::string& path) const;
  uint64_t body_bytes(const std::string& path) const;

 private:
  void accept_loop(int listen_fd);
  void serve(int fd);

  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::map<std::string, Resource> resources_;
  std::map<std::string, std::vector<Fault>> faults_;
  std::vector<RequestLog> log_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread restarter_;
};

}  // namespace bitnet::testing
