// Hostile input at the HTTP boundary (issue 16), through the real API on a socket on
// 127.0.0.1, on SQLite and PostgreSQL: a 550-byte body nested past jq's limit, invalid UTF-8
// in a path, a query or a body, numbers no double holds, a POST with no body and no
// Content-Length, and a replayed start. Each answer is a 4xx problem that names what was
// wrong (or the right success), no answer carries exception text, and the server lives on.
#include "tests/app/attack_rig.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

namespace {

using covenant::testing::AttackRig;
using covenant::testing::HttpAnswer;
using nlohmann::json;

constexpr const char* kWaits = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: hostile, owner: revops }
start: pause
states:
  pause: { type: wait, event: go, output: .got, next: check }
  check:
    type: choice
    choices: [{ when: "${ .a == 1 }", next: done }]
    default: done
  done: { type: succeed }
)";

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A request written byte for byte on a socket (what httplib's client would not send), with a
// bounded wait for the answer. Returns the raw answer ("" when none came).
std::string raw_request(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, n);
  ::close(fd);
  return answer;
}

// Every header and the body of a GET, for what must never be in them.
std::string whole_answer(AttackRig& rig, const std::string& path, const std::string& token) {
  return raw_request(rig.port(), "GET " + path +
                                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                     token + "\r\nConnection: close\r\n\r\n");
}

int instances(AttackRig& rig) {
  auto all = rig.fx.store_->instances.find(covenant::engine::store::Scope::all(), {});
  REQUIRE(all);
  return static_cast<int>(all->size());
}

}  // namespace

ATTACK_TEST("A body nested past the depth limit is refused with 400 and the server lives on",
            attack_deep_json) {
  auto ops = rig.add("ops", {"admin"});
  rig.deployed(ops, kWaits);
  // The finding: 254 levels in 550 bytes aborted the process inside libjq.
  std::string deep =
      R"({"workflow":"hostile","business_key":"C-1","input":{"a":)" + nested(254) + "}}";
  CHECK(deep.size() < 600);
  auto r = rig.call("POST", "/v1/instances", ops, deep);
  CHECK(r.status == 400);
  CHECK(r.body["code"] == "JsonTooDeep");
  CHECK(r.body["detail"].get<std::string>().find("the limit is 64 levels") != std::string::npos);
  CHECK(instances(rig) == 0);  // nothing stored that could crash a restart
  // As an event body too.
  auto id = rig.start(ops, "hostile", json::object());
  r = rig.call("POST", "/v1/instances/" + id + "/events/go", ops, nested(200));
  CHECK(r.status == 400);
  CHECK(r.body["code"] == "JsonTooDeep");
  CHECK(rig.get("/healthz", "").status == 200);
  // Just under the limit is data like any other: it is stored, evaluated, and completes.
  std::string ok =
      R"({"workflow":"hostile","business_key":"C-2","input":{"a":)" + nested(60) + "}}";
  r = rig.call("POST", "/v1/instances", ops, ok);
  REQUIRE(r.status == 201);
  std::string id2 = r.body["id"];
  CHECK(rig.call("POST", "/v1/instances/" + id2 + "/events/go", ops, nested(50)).status == 202);
  CHECK(rig.get("/v1/instances/" + id2, ops).body["status"] == "completed");
}

ATTACK_TEST("Invalid UTF-8 in a path, a query or a body answers 400 without exception text",
            attack_invalid_utf8) {
  auto ops = rig.add("ops", {"admin"});
  for (std::string path : {"/v1/nothing/%FF", "/ui/%FF", "/v1/documents/%FF",
                           "/v1/audit/verify?instance=%FF", "/v1/instances?workflow=%C3%28"}) {
    INFO(path);
    auto r = rig.get(path, ops);
    CHECK(r.status == 400);
    CHECK(r.body["code"] == "InvalidEncoding");
    std::string all = whole_answer(rig, path, ops);
    CHECK(all.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(all.find("EXCEPTION") == std::string::npos);
    CHECK(all.find("json.exception") == std::string::npos);
  }
  rig.deployed(ops, kWaits);
  auto r = rig.call("POST", "/v1/instances", ops,
                    "{\"workflow\":\"hostile\",\"input\":{\"name\":\"Acme \xff\"}}");
  CHECK(r.status == 400);
  CHECK(r.body["code"] == "InvalidEncoding");
  CHECK(r.body["detail"] == "the body at byte 45 is not valid UTF-8");
  CHECK(instances(rig) == 0);
}

ATTACK_TEST("Numbers no double can hold are refused with 400", attack_huge_numbers) {
  auto ops = rig.add("ops", {"admin"});
  rig.deployed(ops, kWaits);
  for (std::string number :
       {std::string("1e400"), std::string("-1e400"), "1" + std::string(400, '0')}) {
    INFO(number);
    auto r = rig.call("POST", "/v1/instances", ops,
                      R"({"workflow":"hostile","input":{"a":)" + number + "}}");
    CHECK(r.status == 400);
    CHECK(r.body["code"] == "NumberOutOfRange");
  }
  auto id = rig.start(ops, "hostile", json::object());
  auto r = rig.call("POST", "/v1/instances/" + id + "/events/go", ops, R"({"amount":1e400})");
  CHECK(r.status == 400);
  CHECK(r.body["code"] == "NumberOutOfRange");
  CHECK(instances(rig) == 1);
}

ATTACK_TEST("A cancel with no body and no Content-Length is taken as having an empty body",
            attack_bodiless_cancel) {
  auto ops = rig.add("ops", {"admin"});
  rig.deployed(ops, kWaits);
  auto id = rig.start(ops, "hostile", json::object());
  std::string answer =
      raw_request(rig.port(), "POST /v1/instances/" + id +
                                  "/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                  ops + "\r\nConnection: close\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(rig.get("/v1/instances/" + id, ops).body["status"] == "cancelled");
  // A route whose body is required still refuses an absent one, with a problem.
  answer = raw_request(
      rig.port(), "POST /v1/instances HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ops +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(answer.find("MalformedJson") != std::string::npos);
}

ATTACK_TEST("A repeated start with the same Idempotency-Key answers 200 and marks the replay",
            attack_start_replay) {
  auto ops = rig.add("ops", {"admin"});
  rig.deployed(ops, kWaits);
  httplib::Client c("127.0.0.1", rig.port());
  c.set_read_timeout(30, 0);
  httplib::Headers h{{"Authorization", "Bearer " + ops}, {"Idempotency-Key", "start-C-9"}};
  std::string body = R"({"workflow":"hostile","business_key":"C-9","input":{}})";
  auto first = c.Post("/v1/instances", h, body, "application/json");
  auto again = c.Post("/v1/instances", h, body, "application/json");
  REQUIRE(first);
  REQUIRE(again);
  CHECK(first->status == 201);
  CHECK_FALSE(first->has_header("Idempotent-Replayed"));
  CHECK(again->status == 200);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  CHECK(json::parse(first->body)["id"] == json::parse(again->body)["id"]);
  CHECK(instances(rig) == 1);
}

namespace {

// The process's resident memory, from /proc/self/statm (pages × page size).
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  REQUIRE(resident > 0);
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string alias_bomb() {
  std::string yaml =
      "apiVersion: covenant/v1\nkind: Workflow\nmetadata: { name: bomb, owner: revops }\n"
      "start: call\nstates:\n  call:\n    type: task\n    activity: crm.create_task\n"
      "    input:\n      a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n";
  for (char level = 'b'; level <= 'g'; ++level) {
    std::string prev(1, static_cast<char>(level - 1));
    yaml += std::string("      ") + level + ": &" + level + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ",*" : "*") + prev;
    yaml += "]\n";
  }
  return yaml + "    next: done\n  done:\n    type: succeed\n";
}

}  // namespace

ATTACK_TEST("A YAML alias bomb is refused where it is read, and the bombs leave memory as it was",
            attack_alias_bomb) {
  auto ops = rig.add("ops", {"admin"});
  rig.deployed(ops, kWaits);
  std::string bomb = alias_bomb();
  CHECK(bomb.size() < 700);
  std::string deep =
      R"({"workflow":"hostile","business_key":"C-1","input":{"a":)" + nested(254) + "}}";
  auto once = [&] {
    auto r = rig.deploy(ops, bomb);
    CHECK(r.status == 422);
    CHECK(r.body["errors"][0]["code"] == "too-large");
    CHECK(r.body["errors"][0]["line"] == 14);  // the alias that crosses the bound (e:)
    CHECK(rig.call("POST", "/v1/instances", ops, deep).status == 400);
  };
  once();  // warm: the first request of each kind allocates what every one reuses
  std::size_t before = resident_bytes();
  for (int i = 0; i < 20; ++i) once();
  std::size_t after = resident_bytes();
  INFO("resident before " << before << " bytes, after " << after);
  CHECK(after <= before + before / 5);
  auto defs = rig.fx.store_->definitions.latest("default", "bomb");
  CHECK_FALSE(defs);  // nothing of it was stored
}
