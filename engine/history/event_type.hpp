// The one list of history event types. Numbers are stored in the database and names are
// used by the API and exports: DO NOT renumber, rename or reuse an entry. Add new types at
// the end with the next number; mark retired ones with a comment and keep their number.
#pragma once

#include <optional>
#include <string_view>

namespace covenant::engine::history {

enum class EventType : int {
  WorkflowStarted = 1,
  StateEntered = 2,
  ActivityScheduled = 3,
  ActivityCompleted = 4,
  ActivityFailed = 5,
  RetryScheduled = 6,
  TimerScheduled = 7,
  TimerFired = 8,
  EventReceived = 9,
  ApprovalRequested = 10,
  ApprovalDecided = 11,
  ApprovalGranted = 12,
  ApprovalRejected = 13,
  ApprovalExpired = 14,
  ApprovalEscalated = 15,
  BranchStarted = 16,
  BranchCompleted = 17,
  CompensationScheduled = 18,
  WorkflowCompleted = 19,
  WorkflowFailed = 20,
  WorkflowCancelled = 21,
  WritebackCommitted = 22,
  WritebackBlocked = 23,
  ApprovalReminded = 24,
  CompensationFailed = 25,
  SubjectRejected = 26,
  ApprovalChangesRequested = 27,
  ValueCorrected = 28,
  InstanceMigrated = 29,
  StepRetried = 30,
};

std::string_view name(EventType t);
std::optional<EventType> event_type_from_name(std::string_view name);
std::optional<EventType> event_type_from_number(int n);

}  // namespace covenant::engine::history
