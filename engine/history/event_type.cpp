#include "engine/history/event_type.hpp"

#include <array>
#include <utility>

namespace covenant::engine::history {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 30> kNames = {{
    {EventType::WorkflowStarted, "WorkflowStarted"},
    {EventType::StateEntered, "StateEntered"},
    {EventType::ActivityScheduled, "ActivityScheduled"},
    {EventType::ActivityCompleted, "ActivityCompleted"},
    {EventType::ActivityFailed, "ActivityFailed"},
    {EventType::RetryScheduled, "RetryScheduled"},
    {EventType::TimerScheduled, "TimerScheduled"},
    {EventType::TimerFired, "TimerFired"},
    {EventType::EventReceived, "EventReceived"},
    {EventType::ApprovalRequested, "ApprovalRequested"},
    {EventType::ApprovalDecided, "ApprovalDecided"},
    {EventType::ApprovalGranted, "ApprovalGranted"},
    {EventType::ApprovalRejected, "ApprovalRejected"},
    {EventType::ApprovalExpired, "ApprovalExpired"},
    {EventType::ApprovalEscalated, "ApprovalEscalated"},
    {EventType::BranchStarted, "BranchStarted"},
    {EventType::BranchCompleted, "BranchCompleted"},
    {EventType::CompensationScheduled, "CompensationScheduled"},
    {EventType::WorkflowCompleted, "WorkflowCompleted"},
    {EventType::WorkflowFailed, "WorkflowFailed"},
    {EventType::WorkflowCancelled, "WorkflowCancelled"},
    {EventType::WritebackCommitted, "WritebackCommitted"},
    {EventType::WritebackBlocked, "WritebackBlocked"},
    {EventType::ApprovalReminded, "ApprovalReminded"},
    {EventType::CompensationFailed, "CompensationFailed"},
    {EventType::SubjectRejected, "SubjectRejected"},
    {EventType::ApprovalChangesRequested, "ApprovalChangesRequested"},
    {EventType::ValueCorrected, "ValueCorrected"},
    {EventType::InstanceMigrated, "InstanceMigrated"},
    {EventType::StepRetried, "StepRetried"},
}};

}  // namespace

std::string_view name(EventType t) {
  for (const auto& [type, n] : kNames)
    if (type == t) return n;
  return "Unknown";
}

std::optional<EventType> event_type_from_name(std::string_view n) {
  for (const auto& [type, nm] : kNames)
    if (nm == n) return type;
  return std::nullopt;
}

std::optional<EventType> event_type_from_number(int n) {
  for (const auto& [type, nm] : kNames)
    if (static_cast<int>(type) == n) return type;
  return std::nullopt;
}

}  // namespace covenant::engine::history
