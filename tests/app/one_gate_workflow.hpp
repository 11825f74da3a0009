// A workflow several API tests share: one finance approval gate authorizing one charge of the
// input's amount (the test system's money.charge), then done.
#pragma once

namespace covenant::testing {

inline constexpr const char* kOneGateCharge = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gate-only }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ \"acme\" }", type: id }
    approvers: [{ role: finance }]
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: acme }, next: done }
  done: { type: succeed }
)";

}  // namespace covenant::testing
